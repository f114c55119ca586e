/**
 * Issue 6, refunds: serialised by the payment workflow, never more than captured, idempotent per request key.
 * Pinned to input version 3, whose run stays open for the refund window and takes refunds itself: such runs are
 * still open in production. Version 4 (refunds workflow) is tested in refunds-workflow.test.ts.
 */
import type { PaymentsClient } from '../../client/payments-client';
import { IdempotencyKeyReusedError, PaymentStateError, PaymentValidationError } from '../../client/errors';
import { paymentWorkflowId } from '../../shared/ids';
import { FAST_POLICY } from '../support/fast-policy';
import { addFault } from '../support/gateway-admin';
import { saveHistory } from '../support/histories';
import {
  paidPayment as paidWith,
  refundsInLedger as ledgerRefunds,
  refundWithUnknownOutcome,
} from '../support/refunds';
import { startPaymentHarness, uniqueKey, type PaymentHarness } from '../support/payment-harness';
import { eventually } from '../support/wait';

let h: PaymentHarness;
/** Payments of input version 3, as the release before the refunds workflow started them. */
let v3: PaymentsClient;
beforeAll(async () => {
  h = await startPaymentHarness();
  v3 = h.clientWith({}, { inputVersion: 3 });
});
afterAll(async () => {
  await h?.teardown();
});

const card = (number: string) => ({ type: 'card' as const, number });

const paidPayment = (amount: number, client = v3) => paidWith(client, amount, 'refundable');
const refundsInLedger = (chargeId: string) => ledgerRefunds(h.gateway.url, chargeId);

describe('refunds', () => {
  it('refunds partially, then the rest, and closes the payment as refunded', async () => {
    const { paymentId, chargeId } = await paidPayment(1000);
    const first = await v3.refund(paymentId, { amount: 400, requestKey: uniqueKey('r1') });
    expect(first).toMatchObject({ status: 'succeeded', amount: 400, refundNumber: 1 });
    expect(first.gatewayKey).toBe(`refund_${chargeId}_1`);
    expect(await v3.getPayment(paymentId)).toMatchObject({
      status: 'partially_refunded',
      customerMessage: 'Part of your payment was refunded.',
    });

    const rest = await v3.refund(paymentId, { requestKey: uniqueKey('r2') }); // no amount: the remainder
    expect(rest).toMatchObject({ status: 'succeeded', amount: 600, refundNumber: 2 });

    // Fully refunded: the workflow has nothing left to guard and completes.
    const closed = await h.env.client.workflow.getHandle(paymentWorkflowId(paymentId)).result();
    expect(closed.status).toBe('refunded');
    const ledger = await refundsInLedger(chargeId);
    expect(ledger.map((r) => r.amount).sort()).toEqual([400, 600]);
    expect(ledger.map((r) => r.idempotency_key).sort()).toEqual([`refund_${chargeId}_1`, `refund_${chargeId}_2`]);

    await expect(v3.refund(paymentId, { amount: 1, requestKey: uniqueKey('r3') })).rejects.toThrow(
      /already fully refunded/,
    );

    const statuses = (await h.audit.history(paymentId)).map((r) => r.status);
    expect(statuses.slice(-3)).toEqual(['succeeded', 'partially_refunded', 'refunded']);
    const last = (await h.audit.history(paymentId)).at(-1);
    expect(last?.metadata).toMatchObject({ refundAmount: 600, amountRefunded: 1000, refundSeq: 2 });
    await saveHistory(h.env, 'partial-then-full-refund', paymentId);
  });

  it('refuses a refund larger than what was captured, and refunds nothing', async () => {
    const { paymentId, chargeId } = await paidPayment(1000);
    const attempt = v3.refund(paymentId, { amount: 1200, requestKey: uniqueKey('over') });
    await expect(attempt).rejects.toBeInstanceOf(PaymentStateError);
    await expect(attempt).rejects.toThrow('refund of 1200 USD exceeds the refundable remainder of 1000 USD');
    expect(await refundsInLedger(chargeId)).toHaveLength(0);
    const state = await v3.getPayment(paymentId);
    expect(state).toMatchObject({ status: 'succeeded', amountRefunded: 0, refunds: [] });
  });

  it('lets exactly three of five concurrent 30% refunds through', async () => {
    const { paymentId, chargeId } = await paidPayment(1000);
    const outcomes = await Promise.allSettled(
      [1, 2, 3, 4, 5].map((n) => v3.refund(paymentId, { amount: 300, requestKey: uniqueKey(`c${n}`) })),
    );
    const ok = outcomes.filter((o) => o.status === 'fulfilled');
    const refused = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    expect(ok).toHaveLength(3);
    expect(refused).toHaveLength(2);
    for (const r of refused) expect(r.reason).toBeInstanceOf(PaymentStateError);
    const ledger = await refundsInLedger(chargeId);
    expect(ledger.reduce((sum, r) => sum + r.amount, 0)).toBe(900);
    expect((await v3.getPayment(paymentId)).amountRefunded).toBe(900);
  });

  it('returns the same refund for a repeated request key, and refuses the key with another amount', async () => {
    const { paymentId, chargeId } = await paidPayment(1000);
    const requestKey = uniqueKey('same');
    const a = await v3.refund(paymentId, { amount: 250, requestKey });
    const b = await v3.refund(paymentId, { amount: 250, requestKey });
    expect(b.refundId).toBe(a.refundId);
    expect(await refundsInLedger(chargeId)).toHaveLength(1);
    await expect(v3.refund(paymentId, { amount: 300, requestKey })).rejects.toBeInstanceOf(IdempotencyKeyReusedError);
  });

  it('refuses a refund of a payment that did not succeed', async () => {
    const { paymentId } = await v3.startPayment({
      idempotencyKey: uniqueKey('fraud'),
      amount: 1000,
      currency: 'USD',
      paymentMethod: card('4000000000009979'), // stolen_card: a fraud decline
    });
    expect((await v3.result(paymentId)).status).toBe('failed');
    await expect(v3.refund(paymentId, { amount: 100, requestKey: uniqueKey('nope') })).rejects.toThrow(
      /cannot refund payment: it is failed/,
    );
  });

  it('refuses bad refund input before it reaches the workflow', async () => {
    const { paymentId } = await paidPayment(500);
    for (const amount of [0, -5, 1.5]) {
      await expect(v3.refund(paymentId, { amount, requestKey: uniqueKey('bad') })).rejects.toBeInstanceOf(
        PaymentValidationError,
      );
    }
    await expect(v3.refund(paymentId, { amount: 1, requestKey: '' })).rejects.toBeInstanceOf(PaymentValidationError);
    expect((await v3.getPayment(paymentId)).refunds).toEqual([]);
  });

  it('refuses refunds once the window has closed', async () => {
    const short = h.clientWith({ ...FAST_POLICY, refundWindowMs: 1_500 }, { inputVersion: 3 });
    const { paymentId, chargeId } = await paidPayment(800, short);
    await expect(short.refund(paymentId, { amount: 100, requestKey: uniqueKey('in') })).resolves.toMatchObject({
      status: 'succeeded',
    });
    // The window closing completes the run; the result keeps the partial refund.
    const closed = await h.env.client.workflow.getHandle(paymentWorkflowId(paymentId)).result();
    expect(closed.status).toBe('partially_refunded');
    await expect(short.refund(paymentId, { amount: 100, requestKey: uniqueKey('late') })).rejects.toThrow(
      /refund window closed/,
    );
    expect(await refundsInLedger(chargeId)).toHaveLength(1);
    await saveHistory(h.env, 'refund-window-closed', paymentId);
  });

  it('refunds once when the gateway makes the refund but the answer is lost', async () => {
    const { paymentId, chargeId } = await paidPayment(1000);
    await addFault(h.gateway.url, {
      kind: 'commit_then_drop',
      match: { method: 'POST', path: '/v1/refunds' },
      count: 1,
    });
    const refund = await v3.refund(paymentId, { amount: 300, requestKey: uniqueKey('flaky') });
    expect(refund.status).toBe('succeeded');
    const ledger = await refundsInLedger(chargeId);
    expect(ledger).toHaveLength(1);
    expect(ledger[0]?.id).toBe(refund.refundId);
  });

  it('looks a refund with an unknown outcome up until it is known, audits it, and keeps it in flight', async () => {
    const paid = await paidPayment(1000);
    const { paymentId, chargeId } = paid;
    await refundWithUnknownOutcome(v3, h.gateway.url, paid, 400);
    const settled = await eventually(
      () => v3.getPayment(paymentId),
      (s) => s.refunds?.[0]?.status === 'succeeded',
      20_000,
    );
    expect(settled).toMatchObject({ status: 'partially_refunded', amountRefunded: 400 });
    expect(await refundsInLedger(chargeId)).toHaveLength(1);
    const rows = await h.audit.history(paymentId);
    const unknownRow = rows.find((r) => r.metadata.refundOutcome === 'unknown');
    expect(unknownRow).toMatchObject({ status: 'succeeded', metadata: { refundSeq: 1, refundAmount: 400 } });
    expect(rows.at(-1)).toMatchObject({
      status: 'partially_refunded',
      metadata: { refundSeq: 1, amountRefunded: 400 },
    });
  });
});
