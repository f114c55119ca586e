/**
 * An operator's Terminate runs no workflow code. The sweeper (a Temporal Schedule driving a small workflow) finds
 * such runs, asks the gateway what the payment's keys hold, records `terminated` with `charged`, cancels a charge
 * left awaiting 3DS, and starts a settlement run so that GET, the search attribute and the list say `terminated`;
 * a charged one can still be refunded, exactly once.
 */
import { randomUUID } from 'node:crypto';
import { paymentIdFromKey } from '../../client/payment-id';
import type { PaymentsClient } from '../../client/payments-client';
import { paymentWorkflowId, refundsWorkflowId } from '../../shared/ids';
import { resolvePolicy } from '../../shared/payment-policy';
import { PAYMENT_INPUT_VERSION } from '../../shared/payment-types';
import { PaymentStatusKey } from '../../shared/search-attributes';
import type { SweepReport } from '../../activities/termination-sweep';
import { ensureSweepSchedule, sweepScheduleId } from '../../worker/sweep-schedule';
import { NSF, THREE_DS, VISA } from '../support/cards';
import { addFaultsFor, gatewayRequests, ledgerFor } from '../support/gateway-admin';
import { saveHistory } from '../support/histories';
import { startPaymentHarness, uniqueKey, type PaymentHarness } from '../support/payment-harness';
import { eventually, waitForStatus } from '../support/wait';

let h: PaymentHarness;
beforeAll(async () => {
  h = await startPaymentHarness();
});
afterAll(async () => {
  await h?.teardown();
});

const LOOKBACK_MS = 3_600_000;

async function terminate(paymentId: string, reason: string): Promise<void> {
  await h.env.client.workflow.getHandle(paymentWorkflowId(paymentId)).terminate(reason);
}

/** One sweep, as the schedule runs it; visibility is eventually consistent, so until it has seen the payment. */
async function sweepUntilRecorded(paymentId: string): Promise<SweepReport> {
  return eventually(
    () =>
      h.env.client.workflow.execute('terminationSweepWorkflow', {
        workflowId: `sweep-${paymentId}-${Date.now()}`,
        taskQueue: h.taskQueue,
        args: [{ lookbackMs: LOOKBACK_MS }],
      }) as Promise<SweepReport>,
    (report) => report.recorded.includes(paymentId),
  );
}

/** GET and the search attribute, once the settlement run has answered from the trail. */
async function settledAs(paymentId: string, status: string) {
  const state = await eventually(
    () => h.client.getPayment(paymentId),
    (s) => s.status === status,
  );
  const attribute = await eventually(
    async () =>
      (await h.env.client.workflow.getHandle(paymentWorkflowId(paymentId)).describe()).typedSearchAttributes.get(
        PaymentStatusKey,
      ),
    (value) => value === status,
  );
  return { state, attribute };
}

describe('terminated payments', () => {
  it('parked on 3DS: the charge is cancelled at the gateway and the payment is terminated, not charged', async () => {
    const { paymentId } = await h.client.startPayment({
      idempotencyKey: uniqueKey('term-3ds'),
      amount: 4200,
      currency: 'EUR',
      paymentMethod: THREE_DS,
    });
    const { chargeId } = await waitForStatus(h.client, paymentId, 'requires_action');
    await terminate(paymentId, 'customer abandoned checkout');
    await sweepUntilRecorded(paymentId);

    expect(await ledgerFor(h.gateway.url, paymentId)).toEqual([
      expect.objectContaining({ id: chargeId, status: 'canceled' }),
    ]);
    const trail = await h.audit.history(paymentId);
    expect(trail.filter((r) => r.status === 'terminated')).toHaveLength(1);
    expect(trail.at(-1)).toMatchObject({
      status: 'terminated',
      metadata: expect.objectContaining({
        charged: false,
        cancelledCharges: [chargeId],
        needsAttention: false,
        by: 'operator',
        reason: 'customer abandoned checkout',
        lastStatus: 'requires_action',
      }),
    });
    const { state, attribute } = await settledAs(paymentId, 'terminated');
    expect(attribute).toBe('terminated');
    expect(state.reason).toBe('customer abandoned checkout');
    const needing = await h.client.listNeedingAttention({ limit: 1000 });
    expect(needing.some((p) => p.paymentId === paymentId)).toBe(false); // nothing was charged
    const listed = await eventually(
      () => h.client.listPayments({ status: 'terminated' }),
      (list) => list.some((p) => p.paymentId === paymentId),
    );
    expect(listed.some((p) => p.paymentId === paymentId)).toBe(true);
    // A second sweep finds nothing new to write.
    const again = (await h.env.client.workflow.execute('terminationSweepWorkflow', {
      workflowId: `sweep-again-${paymentId}`,
      taskQueue: h.taskQueue,
      args: [{ lookbackMs: LOOKBACK_MS }],
    })) as SweepReport;
    expect(again.recorded).not.toContain(paymentId);
    expect((await h.audit.history(paymentId)).filter((r) => r.status === 'terminated')).toHaveLength(1);
    await saveHistory(h.env, 'terminated-settlement', paymentId);
  });

  // Version 3: the settlement run takes the refund itself. Version 4: it closes, and the refunds workflow does.
  it.each([3, 4])(
    'with the charge in flight (input version %i): the late capture is found, flagged, and refundable exactly once',
    async (inputVersion) => {
      const client = h.clientWith({}, { inputVersion });
      await chargedInFlightThenTerminated(client, inputVersion);
    },
  );

  async function chargedInFlightThenTerminated(client: PaymentsClient, inputVersion: number): Promise<void> {
    const idempotencyKey = uniqueKey('term-inflight');
    const paymentId = paymentIdFromKey(idempotencyKey);
    await addFaultsFor(h.gateway.url, paymentId, [
      { kind: 'latency', latencyMs: 1_500, count: 1, match: { method: 'POST', path: '/v1/charges' } },
    ]);
    await client.startPayment({ idempotencyKey, amount: 2300, currency: 'USD', paymentMethod: VISA });
    await waitForStatus(client, paymentId, 'processing');
    // Terminated once the charge has reached the gateway (held there by the latency): 'processing' is written
    // before the charge is sent, and a terminate in between left nothing in flight (a flake on a loaded machine).
    const sent = await eventually(
      () => gatewayRequests(h.gateway.url),
      (requests) => requests.some((r) => r.method === 'POST' && r.idempotencyKey === `${paymentId}:v1`),
    );
    expect(sent.some((r) => r.method === 'POST' && r.idempotencyKey === `${paymentId}:v1`)).toBe(true);
    await terminate(paymentId, 'stuck, ops ticket 1234');
    // The gateway still captures: the request was already on its way.
    const [charge] = await eventually(
      () => ledgerFor(h.gateway.url, paymentId),
      (l) => l.some((c) => c.status === 'succeeded'),
    );
    await sweepUntilRecorded(paymentId);
    expect((await h.audit.history(paymentId)).at(-1)).toMatchObject({
      status: 'terminated',
      metadata: expect.objectContaining({ charged: true, chargeId: charge.id, needsAttention: true }),
    });
    const { state } = await settledAs(paymentId, 'terminated');
    expect(state).toMatchObject({ chargeId: charge.id, amount: 2300 });
    const needing = () => client.listNeedingAttention({ limit: 1000 });
    await eventually(needing, (list) => list.some((p) => p.paymentId === paymentId && p.status === 'terminated'));

    const refund = await client.refund(paymentId, { requestKey: 'after-terminate' });
    expect(refund).toMatchObject({ status: 'succeeded', amount: 2300, gatewayKey: `refund_${charge.id}_1` });
    await expect(client.refund(paymentId, { requestKey: 'after-terminate-2' })).rejects.toThrow(
      /nothing left to refund|already fully refunded/,
    );
    expect(await ledgerFor(h.gateway.url, paymentId)).toHaveLength(1);
    const { refunds } = (await (await fetch(`${h.gateway.url}/_sandbox/ledger`)).json()) as {
      refunds: Array<{ charge: string; amount: number; status: string }>;
    };
    expect(refunds.filter((r) => r.charge === charge.id)).toEqual([
      expect.objectContaining({ amount: 2300, status: 'succeeded' }),
    ]);
    expect((await h.audit.history(paymentId)).at(-1)?.status).toBe('refunded');
    expect(await client.getPayment(paymentId)).toMatchObject({ status: 'refunded', amountRefunded: 2300 });
    // Refunded, it needs nobody any more.
    const after = await eventually(needing, (list) => !list.some((p) => p.paymentId === paymentId));
    expect(after.some((p) => p.paymentId === paymentId)).toBe(false);
    const settlement = await h.env.client.workflow.getHandle(paymentWorkflowId(paymentId)).describe();
    if (inputVersion === 4) {
      // The settlement run closed at once; the refunds workflow made the refund.
      expect(settlement.status.name).toBe('COMPLETED');
      const refunds = h.env.client.workflow.getHandle(refundsWorkflowId(paymentId));
      expect(await refunds.result()).toMatchObject({ status: 'refunded', closed: 'fully_refunded' });
      await saveHistory(h.env, 'terminated-charged-settlement-v4', paymentId);
    } else {
      await saveHistory(h.env, 'terminated-charged-refund', paymentId);
    }
  }

  it('before any charge succeeded (waiting to retry a decline): terminated, charged false', async () => {
    const client = h.clientWith({ softRetry: { maxAttempts: 5, baseDelayMs: 60_000, maxDelayMs: 60_000 } });
    const { paymentId } = await client.startPayment({
      idempotencyKey: uniqueKey('term-retry'),
      amount: 900,
      currency: 'USD',
      paymentMethod: NSF,
      initiator: 'merchant',
    });
    await waitForStatus(client, paymentId, 'pending_retry');
    await terminate(paymentId, 'customer asked to stop');
    await sweepUntilRecorded(paymentId);
    expect((await h.audit.history(paymentId)).at(-1)).toMatchObject({
      status: 'terminated',
      metadata: expect.objectContaining({ charged: false, lastStatus: 'pending_retry', keys: [`${paymentId}:v1`] }),
    });
    await settledAs(paymentId, 'terminated');
  });

  it('terminated before its first task: nothing charged, the settlement run answers terminated, not a new charge', async () => {
    const idempotencyKey = uniqueKey('term-unstarted');
    const paymentId = paymentIdFromKey(idempotencyKey);
    // A start delay keeps the run from its first workflow task: it has claimed nothing and written no row.
    const handle = await h.env.client.workflow.start('paymentWorkflow', {
      workflowId: paymentWorkflowId(paymentId),
      taskQueue: h.taskQueue,
      startDelay: '1 hour',
      args: [
        {
          version: PAYMENT_INPUT_VERSION,
          paymentId,
          idempotencyKey,
          fingerprint: 'fp-unstarted',
          policy: resolvePolicy(),
          amount: 1500,
          currency: 'USD',
          paymentMethod: VISA,
        },
      ],
    });
    await handle.terminate('opened by mistake');
    await sweepUntilRecorded(paymentId);
    await settledAs(paymentId, 'terminated');
    expect(await ledgerFor(h.gateway.url, paymentId)).toEqual([]);
    const trail = await h.audit.history(paymentId);
    expect(trail.map((r) => r.status)).toEqual(['terminated']);
    expect(trail[0]?.metadata).toMatchObject({ charged: false, reason: 'opened by mistake' });
  });

  it("leaves another task queue's terminated runs to that deployment's sweeper", async () => {
    // Another deployment in the same namespace: its trail is in its own audit store, its keys at its gateway.
    const foreignId = randomUUID();
    const foreign = await h.env.client.workflow.start('paymentWorkflow', {
      workflowId: paymentWorkflowId(foreignId),
      taskQueue: `elsewhere-${randomUUID()}`,
      args: [{ amount: 100, currency: 'USD' }],
    });
    await foreign.terminate('not ours');
    // Ours, terminated after it: once a sweep records ours, visibility has seen the foreign run too.
    const { paymentId } = await h.client.startPayment({
      idempotencyKey: uniqueKey('term-ours'),
      amount: 4200,
      currency: 'EUR',
      paymentMethod: THREE_DS,
    });
    await waitForStatus(h.client, paymentId, 'requires_action');
    await terminate(paymentId, 'ours');
    const report = await sweepUntilRecorded(paymentId);
    expect(report.recorded).not.toContain(foreignId);
    expect(report.pending).not.toContain(foreignId);
    expect(await h.audit.history(foreignId)).toEqual([]);
    expect((await foreign.describe()).runId).toBe(foreign.firstExecutionRunId); // no settlement run started
  });

  it('the schedule sweeps on its own, within its interval', async () => {
    await ensureSweepSchedule(h.env.client, { taskQueue: h.taskQueue, intervalMs: 1_000, lookbackMs: LOOKBACK_MS });
    try {
      const { paymentId } = await h.client.startPayment({
        idempotencyKey: uniqueKey('term-scheduled'),
        amount: 4200,
        currency: 'EUR',
        paymentMethod: THREE_DS,
      });
      await waitForStatus(h.client, paymentId, 'requires_action');
      await terminate(paymentId, 'scheduled sweep');
      const trail = await eventually(
        () => h.audit.history(paymentId),
        (rows) => rows.at(-1)?.status === 'terminated',
        30_000,
      );
      expect(trail.at(-1)?.metadata).toMatchObject({ charged: false, reason: 'scheduled sweep' });
      await settledAs(paymentId, 'terminated');
    } finally {
      await h.env.client.schedule.getHandle(sweepScheduleId(h.taskQueue)).delete();
    }
  });
});
