/** Issue "walking skeleton": the first payment path end to end on the real dev server and sandbox gateway. */
import { IdempotencyKeyReusedError, PaymentValidationError } from '../../client/errors';
import { paymentIdFromKey } from '../../client/payment-id';
import { paymentWorkflowId } from '../../shared/ids';
import { ledgerFor } from '../support/gateway-admin';
import { startPaymentHarness, uniqueKey, type PaymentHarness } from '../support/payment-harness';

let h: PaymentHarness;
beforeAll(async () => {
  h = await startPaymentHarness();
});
afterAll(async () => {
  await h?.teardown();
});

const card = (number: string) => ({ type: 'card' as const, number });

describe('payment path', () => {
  it('charges a 4242 card once and succeeds with a charge id', async () => {
    const started = await h.client.startPayment({
      idempotencyKey: uniqueKey('ok'),
      amount: 1999,
      currency: 'usd',
      paymentMethod: card('4242424242424242'),
    });
    const result = await h.client.result(started.paymentId);
    expect(result).toMatchObject({ status: 'succeeded', needsDifferentCard: false, attempts: 1 });
    expect(result.chargeId).toMatch(/^ch_/);
    const ledger = await ledgerFor(h.gateway.url, started.paymentId);
    expect(ledger).toHaveLength(1);
    expect(ledger[0]).toMatchObject({
      id: result.chargeId,
      amount: 1999,
      currency: 'usd',
      status: 'succeeded',
      idempotency_key: `${started.paymentId}:v1`,
    });
  });

  it('starts one workflow and makes one charge when the same payment is started twice', async () => {
    const req = {
      idempotencyKey: uniqueKey('twice'),
      amount: 500,
      currency: 'EUR',
      paymentMethod: card('4242424242424242'),
    };
    const [a, b] = await Promise.all([h.client.startPayment(req), h.client.startPayment(req)]);
    expect(a.paymentId).toBe(b.paymentId);
    expect([a.created, b.created].sort()).toEqual([false, true]);
    await h.client.result(a.paymentId);
    const again = await h.client.startPayment(req); // after completion too
    expect(again).toMatchObject({ paymentId: a.paymentId, created: false });
    expect(await ledgerFor(h.gateway.url, a.paymentId)).toHaveLength(1);
  });

  it('records the full status history in the audit trail', async () => {
    const started = await h.client.startPayment({
      idempotencyKey: uniqueKey('audit'),
      amount: 700,
      currency: 'USD',
      paymentMethod: card('4242424242424242'),
    });
    await h.client.result(started.paymentId);
    const history = await h.audit.history(started.paymentId);
    expect(history.map((r) => r.status)).toEqual(['initiated', 'processing', 'succeeded']);
    expect(history[2].metadata).toMatchObject({ chargeId: expect.stringMatching(/^ch_/), gateway: 'sandbox' });
    expect(JSON.stringify(history)).not.toContain('4242424242424242');
  });

  it('refuses the same key with different parameters, and charges nothing more', async () => {
    const idempotencyKey = uniqueKey('reuse');
    const first = await h.client.startPayment({
      idempotencyKey,
      amount: 1000,
      currency: 'USD',
      paymentMethod: card('4242424242424242'),
    });
    await h.client.result(first.paymentId);
    await expect(
      h.client.startPayment({ idempotencyKey, amount: 1001, currency: 'USD', paymentMethod: card('4242424242424242') }),
    ).rejects.toBeInstanceOf(IdempotencyKeyReusedError);
    expect(await ledgerFor(h.gateway.url, first.paymentId)).toHaveLength(1);
  });

  it.each([
    ['zero amount', { amount: 0 }],
    ['negative amount', { amount: -5 }],
    ['fractional amount', { amount: 10.5 }],
    ['amount as a string', { amount: '100' }],
    ['unknown currency', { currency: 'XYZ' }],
    ['malformed card', { paymentMethod: card('4242') }],
    ['unknown field', { surprise: true }],
    ['empty key', { idempotencyKey: '' }],
    ['256-character key', { idempotencyKey: 'k'.repeat(256) }],
  ])('refuses %s before anything reaches Temporal', async (_label, override) => {
    const idempotencyKey = uniqueKey('bad');
    const request = {
      idempotencyKey,
      amount: 100,
      currency: 'USD',
      paymentMethod: card('4242424242424242'),
      ...override,
    };
    await expect(h.client.startPayment(request as never)).rejects.toBeInstanceOf(PaymentValidationError);
    const handle = h.env.client.workflow.getHandle(paymentWorkflowId(paymentIdFromKey(request.idempotencyKey)));
    await expect(handle.describe()).rejects.toThrow(/not found/i);
  });
});
