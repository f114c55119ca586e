/**
 * Silence and "in flight" are not "not charged": a payment never ends failed or cancelled while the gateway may
 * hold its charge, a duplicate_transaction never asks for another card, and a charge left awaiting 3DS is
 * cancelled at the gateway so that a late authentication cannot capture money on a cancelled payment.
 */
import { paymentIdFromKey } from '../../client/payment-id';
import { addFaultsFor, customerCompletes3DS, ledgerFor } from '../support/gateway-admin';
import { startPaymentHarness, uniqueKey, type PaymentHarness } from '../support/payment-harness';
import { eventually, waitForStatus } from '../support/wait';

let h: PaymentHarness;
beforeAll(async () => {
  h = await startPaymentHarness();
});
afterAll(async () => {
  await h?.teardown();
});

const card = (number: string) => ({ type: 'card' as const, number });
const VISA = card('4242424242424242');
const THREE_DS = card('4000000000003220');

async function withFaults(label: string, faults: Array<Record<string, unknown>>) {
  const idempotencyKey = uniqueKey(label);
  const paymentId = paymentIdFromKey(idempotencyKey);
  await addFaultsFor(h.gateway.url, paymentId, faults);
  return { idempotencyKey, paymentId };
}

describe('a charge still in flight', () => {
  it('is waited for, not dead-lettered as "not charged", and the payment succeeds when it lands', async () => {
    // The first create takes 8 s: the client gives up after 2 s, its retries (within about 3 s) and the janitor's
    // checks meanwhile hear "in flight" (409), and the charge lands while the janitor is still asking (it may
    // hear "in flight" 15 times, every 500 ms: until about 10 s).
    const { idempotencyKey, paymentId } = await withFaults('in-flight', [
      { kind: 'latency', latencyMs: 8_000, count: 1, match: { method: 'POST', path: '/v1/charges' } },
    ]);
    const client = h.clientWith({ unknownOutcome: { checkIntervalMs: 500, maxChecks: 3 } });
    await client.startPayment({ idempotencyKey, amount: 1500, currency: 'USD', paymentMethod: VISA });
    const result = await client.result(paymentId);
    expect(result.status).toBe('succeeded');
    const state = await client.getPayment(paymentId);
    expect(state.history?.map((c) => c.status)).toContain('unknown');
    expect(state.history?.map((c) => c.status)).not.toContain('dead_lettered');
    const charges = await ledgerFor(h.gateway.url, paymentId);
    expect(charges.filter((c) => c.status === 'succeeded')).toHaveLength(1);
  }, 60_000);
});

describe('the last look', () => {
  it('finds a charge that landed unseen before a dead letter would expire to failed', async () => {
    // The create is committed but its answer lost; the next 16 status checks fail (503): the charge's three
    // check-first retries and three janitor checks of four attempts each, so the payment dead-letters with its
    // outcome unknown. Nobody decides within the window: before failing, it asks again, until it hears.
    const { idempotencyKey, paymentId } = await withFaults('last-look', [
      { kind: 'commit_then_drop', count: 1, match: { method: 'POST', path: '/v1/charges' } },
      { kind: 'status', status: 503, count: 16, match: { method: 'GET', path: '/v1/charges' } },
    ]);
    const client = h.clientWith({ deadLetterWindowMs: 1_000 });
    await client.startPayment({ idempotencyKey, amount: 1600, currency: 'USD', paymentMethod: VISA });
    const parked = await waitForStatus(client, paymentId, 'dead_lettered', 30_000);
    expect(parked.reason).toBe('outcome_unknown');
    const result = await client.result(paymentId);
    expect(result.status).toBe('succeeded');
    const audit = (await h.audit.history(paymentId)).map((r) => r.status);
    expect(audit.slice(-2)).toEqual(['dead_lettered', 'succeeded']);
    expect((await ledgerFor(h.gateway.url, paymentId)).filter((c) => c.status === 'succeeded')).toHaveLength(1);
  }, 60_000);
});

describe('duplicate_transaction', () => {
  it('never asks for another card: with no charge under its keys, an operator decides', async () => {
    const { idempotencyKey, paymentId } = await withFaults('duplicate', []);
    await h.client.startPayment({
      idempotencyKey,
      amount: 1700,
      currency: 'USD',
      paymentMethod: card('4000000000001992'),
    });
    const parked = await waitForStatus(h.client, paymentId, 'dead_lettered');
    expect(parked).toMatchObject({ reason: 'duplicate_transaction', needsDifferentCard: false });
    expect(parked.history?.map((c) => c.status)).not.toContain('awaiting_payment_method');
    await h.client.cancel(paymentId, 'reconciled: the other payment holds the charge');
  });
});

describe('a charge awaiting 3DS', () => {
  it('is cancelled at the gateway when the payment is cancelled: a late authentication captures nothing', async () => {
    const { idempotencyKey, paymentId } = await withFaults('3ds-cancel', []);
    await h.client.startPayment({ idempotencyKey, amount: 1800, currency: 'EUR', paymentMethod: THREE_DS });
    const { chargeId } = await waitForStatus(h.client, paymentId, 'requires_action');
    await expect(h.client.cancel(paymentId, 'customer left')).resolves.toEqual({ status: 'cancelled' });
    const [charge] = await ledgerFor(h.gateway.url, paymentId);
    expect(charge).toMatchObject({ id: chargeId, status: 'canceled' });
    await expect(customerCompletes3DS(h.gateway.url, chargeId as string, 'succeeded')).rejects.toThrow(/409/);
    expect((await ledgerFor(h.gateway.url, paymentId)).map((c) => c.status)).toEqual(['canceled']);
    const last = (await h.audit.history(paymentId)).at(-1);
    expect(last).toMatchObject({ status: 'cancelled', metadata: { gatewayCharge: 'canceled', chargeId } });
  });

  it('is cancelled at the gateway when the 3DS wait times out', async () => {
    const { idempotencyKey, paymentId } = await withFaults('3ds-timeout', []);
    const client = h.clientWith({ threeDSTimeoutMs: 500 });
    await client.startPayment({ idempotencyKey, amount: 1900, currency: 'EUR', paymentMethod: THREE_DS });
    expect((await client.result(paymentId)).status).toBe('cancelled');
    const charges = await eventually(
      () => ledgerFor(h.gateway.url, paymentId),
      (c) => c[0]?.status === 'canceled',
    );
    expect(charges.map((c) => c.status)).toEqual(['canceled']);
  });
});
