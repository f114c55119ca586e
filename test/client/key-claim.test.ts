/**
 * settledClaim (client/key-claim.ts), unit level, on a fake run handle: what a pending claim's look at the run
 * decides. Against the real server: test/api/pending-claim.test.ts and test/payment/pay-in-one-call.test.ts.
 */
import { PaymentPendingError } from '../../client/errors';
import { settledClaim } from '../../client/key-claim';
import type { WorkflowHandle } from '../../client/workflow-handle';

interface FakeRun {
  status?: string;
  activity?: { name: string; heartbeat: boolean };
  describeFails?: number;
}

/** A run whose claim query always says pending, described as `run` says; counts its queries and describes. */
function pendingRun(run: FakeRun) {
  const calls = { queries: 0, describes: 0 };
  let failures = run.describeFails ?? 0;
  const handle = {
    workflowId: `wf-${Math.random()}`,
    query: async () => {
      calls.queries++;
      return { state: 'pending' };
    },
    describe: async () => {
      calls.describes++;
      if (failures-- > 0) throw new Error('describe unavailable');
      const activity = run.activity;
      return {
        status: { name: run.status ?? 'RUNNING' },
        memo: { fingerprint: 'fp-of-the-creator' },
        raw: {
          pendingActivities: activity
            ? [{ activityType: { name: activity.name }, lastHeartbeatTime: activity.heartbeat ? {} : null }]
            : [],
        },
      };
    },
  };
  return { handle: handle as unknown as WorkflowHandle, calls };
}

const open = { paymentId: 'p-1' };

it('a heartbeat on the pending chargeWithTrail is the owner claim, with the creator fingerprint', async () => {
  const { handle } = pendingRun({ activity: { name: 'chargeWithTrail', heartbeat: true } });
  const t0 = Date.now();
  await expect(settledClaim(handle, open, 10_000)).resolves.toEqual({
    state: 'owner',
    fingerprint: 'fp-of-the-creator',
  });
  expect(Date.now() - t0).toBeLessThan(3_000);
});

it('no heartbeat, or one of another activity, leaves the claim pending until the wait is over', async () => {
  for (const activity of [
    { name: 'chargeWithTrail', heartbeat: false },
    { name: 'chargeCard', heartbeat: true },
  ]) {
    const { handle, calls } = pendingRun({ activity });
    await expect(settledClaim(handle, open, 1_500)).rejects.toBeInstanceOf(PaymentPendingError);
    expect(calls.describes).toBeGreaterThanOrEqual(1);
  }
});

it('a run closed while pending is answered by its memo (undefined), at the first look', async () => {
  const { handle, calls } = pendingRun({ status: 'TERMINATED' });
  await expect(settledClaim(handle, open, 10_000)).resolves.toBeUndefined();
  expect(calls.describes).toBe(1);
});

it('a describe that fails before the deadline is not the answer: the look at the deadline is', async () => {
  const { handle, calls } = pendingRun({ describeFails: 1 });
  await expect(settledClaim(handle, open, 2_500)).rejects.toBeInstanceOf(PaymentPendingError);
  expect(calls.describes).toBeGreaterThanOrEqual(2);
  const failing = pendingRun({ describeFails: 100 });
  await expect(settledClaim(failing.handle, open, 500)).rejects.toThrow('describe unavailable');
});

it('stops polling once its caller aborts, deciding nothing', async () => {
  const { handle, calls } = pendingRun({});
  const stop = new AbortController();
  setTimeout(() => stop.abort(new Error('answered')), 200);
  await expect(settledClaim(handle, { ...open, signal: stop.signal }, 10_000)).rejects.toThrow('answered');
  const after = calls.queries;
  await new Promise((resolve) => setTimeout(resolve, 300));
  expect(calls.queries).toBe(after);
});
