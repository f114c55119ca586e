/**
 * A payment of input version 3 stays open after its success and takes refunds itself. A refund whose outcome is
 * unknown writes the payment's status (`succeeded`) again, with the refund's facts, before the refund is found at
 * the gateway. The metrics must still say one payment succeeded: one success with its volume and processing time
 * (counted on the first `succeeded` row only), one transition into `succeeded` (the second row keeps the status),
 * and one refund with its amount. Real worker, dev server, sandbox gateway; the audit activities count on a meter
 * that keeps what it is told.
 */
import type { PaymentsClient } from '../../client/payments-client';
import { statusMetrics } from '../../activities/status-metrics';
import { keepingMeter } from '../support/keeping-meter';
import { startPaymentHarness, uniqueKey, type PaymentHarness } from '../support/payment-harness';
import { paidPayment, refundsInLedger, refundWithUnknownOutcome } from '../support/refunds';
import { eventually } from '../support/wait';

/** The trail of a paid payment after a refund whose outcome was unknown and was then found made. */
const UNKNOWN_REFUND_TRAIL = ['initiated', 'processing', 'succeeded', 'succeeded', 'partially_refunded'];

let h: PaymentHarness;
let v3: PaymentsClient;
const kept = keepingMeter();

beforeAll(async () => {
  h = await startPaymentHarness({ statusMetrics: statusMetrics(kept.meter) });
  v3 = h.clientWith({}, { inputVersion: 3 });
});
afterAll(async () => {
  await h?.teardown();
});

/** A refund whose outcome is unknown, until the payment's trail shows it found at the gateway and settled. */
async function unknownRefundSettled(
  client: PaymentsClient,
  paid: Awaited<ReturnType<typeof paidPayment>>,
  amount: number,
) {
  await refundWithUnknownOutcome(client, h.gateway.url, paid, amount);
  return eventually(
    () => h.audit.history(paid.paymentId),
    (r) => r.at(-1)?.status === 'partially_refunded',
    20_000,
  );
}

it('counts a v3 success once though an unknown refund writes `succeeded` again, and the refund once', async () => {
  const paid = await paidPayment(v3, 1000, 'refund-metrics');
  const { chargeId } = paid;
  const rows = await unknownRefundSettled(v3, paid, 400);
  expect(rows.map((r) => r.status)).toEqual(UNKNOWN_REFUND_TRAIL);
  expect(rows[3].metadata).toMatchObject({ refundOutcome: 'unknown', refundAmount: 400 });
  expect(await refundsInLedger(h.gateway.url, chargeId)).toHaveLength(1);

  const ours = { taskQueue: h.taskQueue, currency: 'USD' };
  expect(kept.total('payment_success', ours)).toBe(1);
  expect(kept.total('payment_volume_minor_units', ours)).toBe(1000);
  expect(kept.seen.filter((s) => s.name === 'payment_processing_seconds')).toHaveLength(1);
  const entered = (status: string) => kept.total('payment_status_transitions', { taskQueue: h.taskQueue, status });
  expect([entered('initiated'), entered('processing'), entered('succeeded'), entered('partially_refunded')]).toEqual([
    1, 1, 1, 1,
  ]);
  expect(kept.total('payment_refunds', ours)).toBe(1);
  expect(kept.total('payment_refunded_minor_units', ours)).toBe(400);
});

it('counts v4 refunds from the refunds workflow: an unknown outcome restates, each refund made counts', async () => {
  const client = h.client; // the current input version: refunds go to the payment's refunds workflow
  const before = (name: string, status?: string) =>
    kept.total(name, { taskQueue: h.taskQueue, ...(status ? { status } : {}) });
  const beforePayment = before('payment_success');
  const paid = await paidPayment(client, 1000, 'refund-metrics-v4');
  const start = {
    succeeded: before('payment_status_transitions', 'succeeded'),
    partial: before('payment_status_transitions', 'partially_refunded'),
    success: before('payment_success'),
    refunds: before('payment_refunds'),
  };
  await unknownRefundSettled(client, paid, 400);
  // A second partial refund keeps the status too, but money moved: it counts.
  expect((await client.refund(paid.paymentId, { amount: 300, requestKey: uniqueKey('second') })).status).toBe(
    'succeeded',
  );
  const rows = await h.audit.history(paid.paymentId);
  expect(rows.map((r) => r.status)).toEqual([...UNKNOWN_REFUND_TRAIL, 'partially_refunded']);
  expect(rows[3].metadata).toMatchObject({ refundOutcome: 'unknown', via: 'refunds_workflow' });
  const delta = {
    succeeded: before('payment_status_transitions', 'succeeded') - start.succeeded,
    partial: before('payment_status_transitions', 'partially_refunded') - start.partial,
    success: before('payment_success') - start.success,
    refunds: before('payment_refunds') - start.refunds,
  };
  // The payment's own `succeeded` was counted when it answered (before `start`); the restated one adds nothing.
  expect(delta).toEqual({ succeeded: 0, partial: 2, success: 0, refunds: 2 });
  expect(start.success - beforePayment).toBe(1);
});
