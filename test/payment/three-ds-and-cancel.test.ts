/** 3DS waits for the customer's result; cancellation works before a charge and never after success. */
import { customerCompletes3DS, ledgerFor } from '../support/gateway-admin';
import { saveHistory } from '../support/histories';
import { startPaymentHarness, uniqueKey, type PaymentHarness } from '../support/payment-harness';
import { waitForStatus } from '../support/wait';

let h: PaymentHarness;
beforeAll(async () => {
  h = await startPaymentHarness();
});
afterAll(async () => {
  await h?.teardown();
});

const threeDSCard = { type: 'card' as const, number: '4000000000003220' };

describe('3DS', () => {
  it('completes the same charge after the customer authenticates', async () => {
    const { paymentId } = await h.client.startPayment({
      idempotencyKey: uniqueKey('3ds'),
      amount: 4200,
      currency: 'EUR',
      paymentMethod: threeDSCard,
    });
    const waiting = await waitForStatus(h.client, paymentId, 'requires_action');
    const chargeId = waiting.chargeId as string;
    await customerCompletes3DS(h.gateway.url, chargeId, 'succeeded');
    await h.client.complete3DS(paymentId, { result: 'succeeded', chargeId });
    const result = await h.client.result(paymentId);
    expect(result).toMatchObject({ status: 'succeeded', chargeId });
    const ledger = await ledgerFor(h.gateway.url, paymentId);
    expect(ledger).toHaveLength(1);
    expect(ledger[0]).toMatchObject({ id: chargeId, status: 'succeeded' });
    await saveHistory(h.env, 'three-ds-success', paymentId);
  });

  it('cancels when the customer fails authentication', async () => {
    const { paymentId } = await h.client.startPayment({
      idempotencyKey: uniqueKey('3ds-fail'),
      amount: 4200,
      currency: 'EUR',
      paymentMethod: threeDSCard,
    });
    const { chargeId } = await waitForStatus(h.client, paymentId, 'requires_action');
    await customerCompletes3DS(h.gateway.url, chargeId as string, 'failed');
    await h.client.complete3DS(paymentId, { result: 'failed', chargeId, reason: 'customer_failed_challenge' });
    const result = await h.client.result(paymentId);
    expect(result.status).toBe('cancelled');
    expect((await h.client.getPayment(paymentId)).reason).toBe('customer_failed_challenge');
  });

  it('cancels with a reason when 3DS times out', async () => {
    const client = h.clientWith({ threeDSTimeoutMs: 500 });
    const { paymentId } = await client.startPayment({
      idempotencyKey: uniqueKey('3ds-timeout'),
      amount: 4200,
      currency: 'EUR',
      paymentMethod: threeDSCard,
    });
    const result = await client.result(paymentId);
    expect(result.status).toBe('cancelled');
    expect((await client.getPayment(paymentId)).reason).toBe('authentication_timeout');
    await saveHistory(h.env, 'three-ds-timeout', paymentId);
  });

  it('ignores a 3DS result that names another charge', async () => {
    const client = h.clientWith({ threeDSTimeoutMs: 1_500 });
    const { paymentId } = await client.startPayment({
      idempotencyKey: uniqueKey('3ds-stale'),
      amount: 4200,
      currency: 'EUR',
      paymentMethod: threeDSCard,
    });
    await waitForStatus(client, paymentId, 'requires_action');
    await expect(client.replaceCard(paymentId, { type: 'card', number: '4242424242424242' })).rejects.toThrow(
      /payment is requires_action, not awaiting a payment method/,
    );
    await client.complete3DS(paymentId, { result: 'succeeded', chargeId: 'ch_someone_else' });
    expect((await client.result(paymentId)).status).toBe('cancelled');
  });
});

describe('cancel', () => {
  it('cancels a payment before its charge is sent and charges nothing', async () => {
    // Stop the worker from picking the workflow up until the cancel is queued alongside its first task.
    const idempotencyKey = uniqueKey('cancel-early');
    const { paymentId } = await h.client.startPayment({
      idempotencyKey,
      amount: 300,
      currency: 'USD',
      paymentMethod: { type: 'card', number: '4242424242424242' },
    });
    const outcome = await h.client.cancel(paymentId, 'order withdrawn').catch((e: Error) => e);
    const result = await h.client.result(paymentId);
    const ledger = await ledgerFor(h.gateway.url, paymentId);
    if (outcome instanceof Error) {
      // The charge went out first: the cancel must then have been refused, and the payment charged once.
      expect(outcome.message).toMatch(/in flight|already succeeded/);
      expect(result.status).toBe('succeeded');
      expect(ledger).toHaveLength(1);
    } else {
      expect(outcome).toEqual({ status: 'cancelled' });
      expect(result.status).toBe('cancelled');
      expect(ledger).toHaveLength(0);
    }
  });
});
