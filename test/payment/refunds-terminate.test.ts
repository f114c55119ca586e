/**
 * An operator terminates a payment's refunds run while a refund is in flight: the gateway refunds, no workflow code
 * runs to record it. The sweeper finds the run, asks the gateway under the run's next key, appends the row the run
 * would have written (naming the caller's request, from the run's history), and starts the next refunds run. The
 * caller's retry then answers with that refund: the gateway holds exactly one, and the trail says who stopped it.
 */
import { randomUUID } from 'node:crypto';
import type { SweepReport } from '../../activities/termination-sweep';
import { refundsWorkflowId } from '../../shared/ids';
import { PaymentStatusKey } from '../../shared/search-attributes';
import { addFault, gatewayRequests } from '../support/gateway-admin';
import { saveWorkflowHistory } from '../support/histories';
import { paidPayment, refundsInLedger } from '../support/refunds';
import { startPaymentHarness, uniqueKey, type PaymentHarness } from '../support/payment-harness';
import { eventually } from '../support/wait';
import { keepingMeter } from '../support/keeping-meter';
import { statusMetrics } from '../../activities/status-metrics';

let h: PaymentHarness;
const kept = keepingMeter();
beforeAll(async () => {
  h = await startPaymentHarness({ statusMetrics: statusMetrics(kept.meter) });
});
afterAll(async () => {
  await h?.teardown();
});

/** Sweeps, as the schedule runs them, until one has looked at this payment's refunds run (visibility lags). */
async function sweepUntil(test: (report: SweepReport) => boolean): Promise<SweepReport> {
  return eventually(() => {
    lastSweepId = `sweep-refunds-${randomUUID()}`;
    return h.env.client.workflow.execute('terminationSweepWorkflow', {
      workflowId: lastSweepId,
      taskQueue: h.taskQueue,
      args: [{ lookbackMs: 3_600_000 }],
    }) as Promise<SweepReport>;
  }, test);
}
let lastSweepId = '';

describe('a terminated refunds run', () => {
  it('a refund cut off in flight is recorded by the sweeper, once, and the retry answers with it', async () => {
    const client = h.clientWith({}, { refundsIdleMs: 60_000 });
    const { paymentId, chargeId } = await paidPayment(client, 2000, 'refunds-terminate');
    // The gateway takes 1.5 s to refund (within the 2 s read timeout): long enough to terminate the run meanwhile.
    await addFault(h.gateway.url, {
      kind: 'latency',
      latencyMs: 1_500,
      count: 1,
      match: { method: 'POST', path: '/v1/refunds', idempotencyKeyPrefix: `refund_${chargeId}_` },
    });
    const request = { amount: 700, requestKey: uniqueKey('cut-off'), reason: 'requested_by_customer' as const };
    const cutOff = client.refund(paymentId, request).then(
      () => 'answered',
      () => 'failed',
    );
    await eventually(
      () => gatewayRequests(h.gateway.url),
      (log) => log.some((r) => r.method === 'POST' && r.idempotencyKey === `refund_${chargeId}_1`),
    );
    const refunds = h.env.client.workflow.getHandle(refundsWorkflowId(paymentId));
    const { runId } = await refunds.describe();
    await refunds.terminate('refund desk stuck: ops-bob');
    expect(await cutOff).toBe('failed'); // the caller heard nothing it could rely on
    const [made] = await eventually(
      () => refundsInLedger(h.gateway.url, chargeId),
      (ledger) => ledger.length === 1,
    );
    expect(made).toMatchObject({ amount: 700, idempotency_key: `refund_${chargeId}_1` });
    expect((await h.audit.history(paymentId)).some((r) => r.metadata.refundId === made.id)).toBe(false);

    const report = await sweepUntil((r) => r.refunds?.recorded.includes(paymentId) === true);
    expect(report.refunds?.started).toContain(paymentId);
    await saveWorkflowHistory(h.env, 'termination-sweep-refunds', lastSweepId);
    const row = (await h.audit.history(paymentId)).at(-1);
    expect(row).toMatchObject({
      status: 'partially_refunded',
      eventKey: `${runId}:refund-1-refunded:partially_refunded`,
      metadata: expect.objectContaining({
        refundId: made.id,
        refundSeq: 1,
        refundAmount: 700,
        amountRefunded: 700,
        requestKey: request.requestKey,
        refundReason: 'requested_by_customer',
        via: 'termination_sweep',
        by: 'operator',
        reason: 'refund desk stuck: ops-bob',
        refundsRunId: runId,
      }),
    });

    // The next refunds run reads that row: GET, its search attribute and the caller's retry all agree.
    const next = await eventually(
      () => refunds.describe(),
      (d) => d.runId !== runId && d.typedSearchAttributes.get(PaymentStatusKey) === 'partially_refunded',
    );
    expect(next.status.name).toBe('RUNNING');
    expect(await h.client.getPayment(paymentId)).toMatchObject({ status: 'partially_refunded', amountRefunded: 700 });
    const retried = await client.refund(paymentId, request);
    expect(retried).toMatchObject({ refundNumber: 1, refundId: made.id, amount: 700, status: 'succeeded' });
    expect(await refundsInLedger(h.gateway.url, chargeId)).toHaveLength(1);

    // A later sweep finds nothing more to do for it: no second row, no third run.
    const again = await sweepUntil(() => true);
    expect(again.refunds?.recorded ?? []).not.toContain(paymentId);
    expect(again.refunds?.started ?? []).not.toContain(paymentId);
    expect((await h.audit.history(paymentId)).filter((r) => r.metadata.refundId === made.id)).toHaveLength(1);
    // The refund made is counted once, with the row the sweep inserted (the terminated run counted nothing).
    const ours = { taskQueue: h.taskQueue, currency: 'USD' };
    expect([kept.total('payment_refunds', ours), kept.total('payment_refunded_minor_units', ours)]).toEqual([1, 700]);
    await saveWorkflowHistory(h.env, 'refunds-run-after-terminate', refundsWorkflowId(paymentId));
  });

  it('a terminated run with nothing in flight: no row, and the next run states the payment as the trail has it', async () => {
    const client = h.clientWith({}, { refundsIdleMs: 60_000 });
    const { paymentId } = await paidPayment(client, 1000, 'refunds-terminate-idle');
    await client.refund(paymentId, { amount: 250, requestKey: uniqueKey('before') });
    const refunds = h.env.client.workflow.getHandle(refundsWorkflowId(paymentId));
    const { runId } = await refunds.describe();
    const rowsBefore = (await h.audit.history(paymentId)).length;
    await refunds.terminate('cleaning up');

    const report = await sweepUntil((r) => r.refunds?.started.includes(paymentId) === true);
    expect(report.refunds?.recorded).not.toContain(paymentId);
    expect(await h.audit.history(paymentId)).toHaveLength(rowsBefore);
    const next = await eventually(
      () => refunds.describe(),
      (d) => d.runId !== runId && d.typedSearchAttributes.get(PaymentStatusKey) === 'partially_refunded',
    );
    expect(next.runId).not.toBe(runId);
    expect(await h.client.getPayment(paymentId)).toMatchObject({ status: 'partially_refunded', amountRefunded: 250 });
  });
});
