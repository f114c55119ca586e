/**
 * An operator's Reset (the UI's "Reset" to a workflow task, `temporal workflow reset`) re-runs a payment under a
 * new run id from the chosen workflow task; the run it was reset from is terminated. At each point a reset can
 * catch a payment (after success, parked on 3DS, waiting to retry a decline, with a charge in flight) the re-run
 * charges nothing twice: it uses the same gateway keys and asks the gateway before it sends. The audit trail keeps
 * both runs' rows (keyed by run id), one terminal row per run, and the reset run's first row names the reset
 * (the run it replaced and the reason; Temporal records no requester for a reset, so the trail cannot name one).
 */
import type { temporal } from '@temporalio/proto';
import { paymentIdFromKey } from '../../client/payment-id';
import type { AuditRow } from '../../audit/types';
import { paymentWorkflowId } from '../../shared/ids';
import { TERMINAL_STATUSES } from '../../shared/payment-status';
import { PaymentStatusKey } from '../../shared/search-attributes';
import { NSF, THREE_DS, VISA } from '../support/cards';
import { addFaultsFor, customerCompletes3DS, ledgerFor } from '../support/gateway-admin';
import { saveHistory } from '../support/histories';
import { operatorResets, taskToResetTo } from '../support/operator-actions';
import { startPaymentHarness, uniqueKey, type PaymentHarness } from '../support/payment-harness';
import { eventually, waitForStatus } from '../support/wait';

/**
 * Input version 3: these tests are of runs that stay open after capture and take refunds themselves (such runs are
 * live in production). A version 4 run closes as it succeeds; its refunds are in refunds-workflow.test.ts.
 */
const OPEN_RUNS = { inputVersion: 3 };

let h: PaymentHarness;
/** A gateway that forgets idempotency keys at once, as Stripe does after 24 h: a reset a day later. */
let forgetful: PaymentHarness;
beforeAll(async () => {
  h = await startPaymentHarness(OPEN_RUNS);
  forgetful = await startPaymentHarness({ ...OPEN_RUNS, gatewayIdempotencyTtlMs: 1 });
});
afterAll(async () => {
  await h?.teardown();
  await forgetful?.teardown();
});

/** Until the run's history holds an event `has` accepts: the wait or step a reset should catch has begun. */
async function untilHistoryHas(
  paymentId: string,
  has: (e: temporal.api.history.v1.IHistoryEvent) => boolean,
): Promise<void> {
  const handle = h.env.client.workflow.getHandle(paymentWorkflowId(paymentId));
  const events = await eventually(
    async () => (await handle.fetchHistory()).events ?? [],
    (list) => list.some(has),
  );
  if (!events.some(has)) throw new Error(`payment ${paymentId}: the awaited event never came`);
}

const timerStarted = (e: temporal.api.history.v1.IHistoryEvent) => Boolean(e.timerStartedEventAttributes);

async function searchAttribute(harness: PaymentHarness, paymentId: string): Promise<string | undefined> {
  const described = await harness.env.client.workflow.getHandle(paymentWorkflowId(paymentId)).describe();
  return described.typedSearchAttributes.get(PaymentStatusKey);
}

const rowsOf = (trail: AuditRow[], runId: string) => trail.filter((r) => r.eventKey.startsWith(`${runId}:`));

/** The trail once the run has written a row of `status`. */
async function trailOnce(harness: PaymentHarness, paymentId: string, runId: string, status: string) {
  return eventually(
    () => harness.audit.history(paymentId),
    (trail) => rowsOf(trail, runId).some((r) => r.status === status),
  );
}

/**
 * Both runs' rows are kept, keyed `<runId>:<seq>:<status>`, and nothing else is in the trail; each run has at most
 * one terminal row; the reset run's first row names the reset (the run it replaced, the reason) and no other row does.
 */
function expectTrailOfBothRuns(trail: AuditRow[], fromRunId: string, runId: string, reason: string) {
  const before = rowsOf(trail, fromRunId);
  const after = rowsOf(trail, runId);
  expect(before.length + after.length).toBe(trail.length);
  for (const rows of [before, after]) {
    expect(rows.filter((r) => TERMINAL_STATUSES.includes(r.status)).length).toBeLessThanOrEqual(1);
    for (const r of rows) expect(r.eventKey).toMatch(new RegExp(`^[^:]+:\\d+:${r.status}$`));
  }
  expect(after[0]?.metadata).toMatchObject({ resetFrom: fromRunId, resetReason: reason });
  expect(trail.filter((r) => r.metadata.resetFrom !== undefined)).toEqual([after[0]]);
  return { before: before.map((r) => r.status), after: after.map((r) => r.status) };
}

describe('operator reset through Temporal', () => {
  it('after success, to the first workflow task: the re-run gets the same charge back, no second one', async () => {
    const { paymentId } = await h.client.startPayment({
      idempotencyKey: uniqueKey('reset-success'),
      amount: 2500,
      currency: 'USD',
      paymentMethod: VISA,
    });
    const first = await h.client.result(paymentId);
    expect(first.status).toBe('succeeded');
    const firstTask = await taskToResetTo(h, paymentId, 'first');
    const reason = 'replay after worker fix, ticket 77';
    const { fromRunId, runId } = await operatorResets(h, paymentId, firstTask, reason);
    expect(runId).not.toBe(fromRunId);

    const trail = await trailOnce(h, paymentId, runId, 'succeeded');
    const ledger = await ledgerFor(h.gateway.url, paymentId);
    expect(ledger).toHaveLength(1);
    expect(ledger[0]).toMatchObject({ id: first.chargeId, status: 'succeeded', idempotency_key: `${paymentId}:v1` });
    const { before, after } = expectTrailOfBothRuns(trail, fromRunId, runId, reason);
    expect(before).toEqual(['initiated', 'processing', 'succeeded']);
    expect(after).toEqual(['initiated', 'processing', 'succeeded']);
    // The same gateway key, and the same charge.
    const keys = trail.filter((r) => r.status === 'processing').map((r) => r.metadata.gatewayKey);
    expect(keys).toEqual([`${paymentId}:v1`, `${paymentId}:v1`]);
    expect(rowsOf(trail, runId).at(-1)?.metadata.chargeId).toBe(first.chargeId);

    expect(await h.client.getPayment(paymentId)).toMatchObject({ status: 'succeeded', chargeId: first.chargeId });
    expect(await searchAttribute(h, paymentId)).toBe('succeeded');
    expect(await h.client.result(paymentId)).toMatchObject({ status: 'succeeded', chargeId: first.chargeId });
    // The reset run holds the payment (open for refunds); the run it replaced was closed by the reset.
    const handle = h.env.client.workflow.getHandle(paymentWorkflowId(paymentId));
    expect(await handle.describe()).toMatchObject({ runId, status: { name: 'RUNNING' } });
    const old = await h.env.client.workflow.getHandle(paymentWorkflowId(paymentId), fromRunId).describe();
    expect(old.status.name).toBe('TERMINATED');
    // The reset run asked for its note once, for its first row, not before every row.
    const events = (await handle.fetchHistory()).events ?? [];
    const asked = events.filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'readResetNote');
    expect(asked).toHaveLength(1);
    await saveHistory(h.env, 'reset-after-success-note-once', paymentId);
  });

  it('after success, once the gateway has forgotten the key: the re-run asks first and finds the charge', async () => {
    const { paymentId } = await forgetful.client.startPayment({
      idempotencyKey: uniqueKey('reset-forgotten'),
      amount: 3100,
      currency: 'USD',
      paymentMethod: VISA,
    });
    const first = await forgetful.client.result(paymentId);
    expect(first.status).toBe('succeeded');
    const firstTask = await taskToResetTo(forgetful, paymentId, 'first');
    await new Promise((r) => setTimeout(r, 50)); // the key is forgotten: a re-send would be a new charge
    const reason = 'reset a day later';
    const { fromRunId, runId } = await operatorResets(forgetful, paymentId, firstTask, reason);
    const trail = await trailOnce(forgetful, paymentId, runId, 'succeeded');
    expect(await ledgerFor(forgetful.gateway.url, paymentId)).toEqual([
      expect.objectContaining({ id: first.chargeId, status: 'succeeded' }),
    ]);
    expectTrailOfBothRuns(trail, fromRunId, runId, reason);
    expect(rowsOf(trail, runId).at(-1)?.metadata.chargeId).toBe(first.chargeId);
    expect(await forgetful.client.getPayment(paymentId)).toMatchObject({
      status: 'succeeded',
      chargeId: first.chargeId,
    });
    expect(await searchAttribute(forgetful, paymentId)).toBe('succeeded');
  });

  it('parked on 3DS: no second charge, and the 3DS completion still captures the one charge', async () => {
    const { paymentId } = await h.client.startPayment({
      idempotencyKey: uniqueKey('reset-3ds'),
      amount: 4200,
      currency: 'EUR',
      paymentMethod: THREE_DS,
    });
    const { chargeId } = await waitForStatus(h.client, paymentId, 'requires_action');
    await untilHistoryHas(paymentId, timerStarted); // the 3DS timeout: the payment is parked
    // The UI's default: the last completed workflow task, the one that began the wait for 3DS.
    const lastTask = await taskToResetTo(h, paymentId, 'last');
    const reason = 'stuck on 3DS after a deploy';
    const { fromRunId, runId } = await operatorResets(h, paymentId, lastTask, reason);
    const waiting = await eventually(
      () => h.client.getPayment(paymentId),
      (s) => s.status === 'requires_action',
    );
    expect(waiting.chargeId).toBe(chargeId);
    expect(await ledgerFor(h.gateway.url, paymentId)).toEqual([
      expect.objectContaining({ id: chargeId, status: 'requires_action' }),
    ]);

    await customerCompletes3DS(h.gateway.url, chargeId as string, 'succeeded');
    await h.client.complete3DS(paymentId, { result: 'succeeded', chargeId });
    expect(await h.client.result(paymentId)).toMatchObject({ status: 'succeeded', chargeId });
    expect(await ledgerFor(h.gateway.url, paymentId)).toEqual([
      expect.objectContaining({ id: chargeId, status: 'succeeded' }),
    ]);
    const trail = await trailOnce(h, paymentId, runId, 'succeeded');
    const { before, after } = expectTrailOfBothRuns(trail, fromRunId, runId, reason);
    expect(before).toEqual(['initiated', 'processing', 'requires_action']);
    expect(after).toEqual(['processing', 'succeeded']);
    expect(await h.client.getPayment(paymentId)).toMatchObject({ status: 'succeeded', chargeId });
    expect(await searchAttribute(h, paymentId)).toBe('succeeded');
    await saveHistory(h.env, 'reset-three-ds', paymentId);
  });

  it('parked on 3DS, to the first workflow task: the re-run finds the waiting charge rather than making one', async () => {
    const { paymentId } = await h.client.startPayment({
      idempotencyKey: uniqueKey('reset-3ds-start'),
      amount: 4300,
      currency: 'EUR',
      paymentMethod: THREE_DS,
    });
    const { chargeId } = await waitForStatus(h.client, paymentId, 'requires_action');
    const firstTask = await taskToResetTo(h, paymentId, 'first');
    const reason = 'start over';
    const { fromRunId, runId } = await operatorResets(h, paymentId, firstTask, reason);
    const trail = await trailOnce(h, paymentId, runId, 'requires_action');
    expect((await h.client.getPayment(paymentId)).chargeId).toBe(chargeId);
    expect(await ledgerFor(h.gateway.url, paymentId)).toHaveLength(1);
    const { after } = expectTrailOfBothRuns(trail, fromRunId, runId, reason);
    expect(after).toEqual(['initiated', 'processing', 'requires_action']);

    await customerCompletes3DS(h.gateway.url, chargeId as string, 'succeeded');
    await h.client.complete3DS(paymentId, { result: 'succeeded', chargeId });
    expect(await h.client.result(paymentId)).toMatchObject({ status: 'succeeded', chargeId });
    expect((await ledgerFor(h.gateway.url, paymentId)).map((c) => [c.id, c.status])).toEqual([[chargeId, 'succeeded']]);
    expect(await searchAttribute(h, paymentId)).toBe('succeeded');
  });

  it('waiting to retry a soft decline: no charge is added by the reset, and the re-run can still be cancelled', async () => {
    const client = h.clientWith({ softRetry: { maxAttempts: 5, baseDelayMs: 60_000, maxDelayMs: 60_000 } });
    const { paymentId } = await client.startPayment({
      idempotencyKey: uniqueKey('reset-retry'),
      amount: 900,
      currency: 'USD',
      paymentMethod: NSF,
      initiator: 'merchant',
    });
    await waitForStatus(client, paymentId, 'pending_retry');
    await untilHistoryHas(paymentId, timerStarted); // the retry's delay: the payment is waiting
    const lastTask = await taskToResetTo(h, paymentId, 'last');
    const reason = 'retry timer looked stuck';
    const { fromRunId, runId } = await operatorResets(h, paymentId, lastTask, reason);
    await eventually(
      async () => (await h.env.client.workflow.getHandle(paymentWorkflowId(paymentId)).describe()).runId,
      (current) => current === runId,
    );
    const waiting = await eventually(
      () => client.getPayment(paymentId),
      (state) => state.status === 'pending_retry',
    );
    expect(waiting.status).toBe('pending_retry');
    expect((await ledgerFor(h.gateway.url, paymentId)).map((c) => c.status)).toEqual(['failed']);
    await client.cancel(paymentId, 'customer gave up');
    expect((await client.result(paymentId)).status).toBe('cancelled');
    expect((await ledgerFor(h.gateway.url, paymentId)).map((c) => c.status)).toEqual(['failed']);
    const trail = await trailOnce(h, paymentId, runId, 'cancelled');
    const { before, after } = expectTrailOfBothRuns(trail, fromRunId, runId, reason);
    expect(before).toEqual(['initiated', 'processing', 'pending_retry']);
    expect(after).toEqual(['cancelled']);
    expect(await searchAttribute(h, paymentId)).toBe('cancelled');
  });

  it('with the charge in flight: the re-run waits for it and takes the one capture, never a second', async () => {
    const idempotencyKey = uniqueKey('reset-inflight');
    const paymentId = paymentIdFromKey(idempotencyKey);
    await addFaultsFor(h.gateway.url, paymentId, [
      { kind: 'latency', latencyMs: 1_500, count: 1, match: { method: 'POST', path: '/v1/charges' } },
    ]);
    await h.client.startPayment({ idempotencyKey, amount: 1800, currency: 'USD', paymentMethod: VISA });
    await waitForStatus(h.client, paymentId, 'processing');
    await untilHistoryHas(
      paymentId,
      (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'chargeCard',
    );
    // The task that sent the charge: the reset run sends it again, under the same key, while the first is in flight.
    const lastTask = await taskToResetTo(h, paymentId, 'last');
    const reason = 'charge looked stuck';
    const { fromRunId, runId } = await operatorResets(h, paymentId, lastTask, reason);
    const result = await h.client.result(paymentId);
    expect(result.status).toBe('succeeded');
    const ledger = await ledgerFor(h.gateway.url, paymentId);
    expect(ledger).toEqual([expect.objectContaining({ id: result.chargeId, status: 'succeeded' })]);
    const trail = await trailOnce(h, paymentId, runId, 'succeeded');
    const { before, after } = expectTrailOfBothRuns(trail, fromRunId, runId, reason);
    expect(before).toEqual(['initiated', 'processing']);
    expect(after).toEqual(['succeeded']);
    expect(rowsOf(trail, runId).at(-1)?.metadata.chargeId).toBe(result.chargeId);
    expect(await h.client.getPayment(paymentId)).toMatchObject({ status: 'succeeded', chargeId: result.chargeId });
    expect(await searchAttribute(h, paymentId)).toBe('succeeded');
    await saveHistory(h.env, 'reset-in-flight', paymentId);
  });
});
