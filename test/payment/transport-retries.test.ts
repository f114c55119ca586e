/** Transient gateway failures are retried by Temporal; every retry asks the gateway before re-sending. */
import { paymentIdFromKey } from '../../client/payment-id';
import { addFaultsFor, ledgerFor } from '../support/gateway-admin';
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

const visa = { type: 'card' as const, number: '4242424242424242' };

/** Registers faults scoped to this payment's gateway keys, then starts it. */
async function payWithFaults(label: string, faults: Array<Record<string, unknown>>, client = h.client) {
  const idempotencyKey = uniqueKey(label);
  const paymentId = paymentIdFromKey(idempotencyKey);
  await addFaultsFor(h.gateway.url, paymentId, faults);
  const started = Date.now();
  await client.startPayment({ idempotencyKey, amount: 1200, currency: 'USD', paymentMethod: visa });
  return { paymentId, started };
}

describe('transport failures', () => {
  it('honours a 429 Retry-After, then succeeds with one charge', async () => {
    const { paymentId, started } = await payWithFaults('429', [
      { kind: 'rate_limit', retryAfterSeconds: 1, count: 1, match: { method: 'POST' } },
    ]);
    const result = await h.client.result(paymentId);
    expect(result.status).toBe('succeeded');
    // The policy's own first backoff is 100 ms; only Retry-After explains a wait of about a second.
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(await ledgerFor(h.gateway.url, paymentId)).toHaveLength(1);
    await saveHistory(h.env, 'rate-limited-then-success', paymentId);
  });

  it('retries two 503s, then succeeds with one charge', async () => {
    const { paymentId } = await payWithFaults('503', [
      { kind: 'status', status: 503, count: 2, match: { method: 'POST' } },
    ]);
    expect((await h.client.result(paymentId)).status).toBe('succeeded');
    expect(await ledgerFor(h.gateway.url, paymentId)).toHaveLength(1);
    await saveHistory(h.env, 'server-errors-then-success', paymentId);
  });

  it('ends succeeded with exactly one charge when the response to a committed charge is lost', async () => {
    const { paymentId } = await payWithFaults('drop', [
      { kind: 'commit_then_drop', count: 1, match: { method: 'POST' } },
    ]);
    const result = await h.client.result(paymentId);
    const ledger = await ledgerFor(h.gateway.url, paymentId);
    expect(result.status).toBe('succeeded');
    expect(ledger).toHaveLength(1);
    expect(result.chargeId).toBe(ledger[0].id);
    await saveHistory(h.env, 'commit-then-drop', paymentId);
  });

  it('survives a connection reset on the status check itself', async () => {
    const { paymentId } = await payWithFaults('reset-check', [
      { kind: 'commit_then_drop', count: 1, match: { method: 'POST' } },
      { kind: 'reset', count: 1, match: { method: 'GET' } },
    ]);
    const result = await h.client.result(paymentId);
    expect(result.status).toBe('succeeded');
    expect(await ledgerFor(h.gateway.url, paymentId)).toHaveLength(1);
  });

  it('treats a read timeout as unknown: checks, waits out the in-flight request, charges once', async () => {
    const { paymentId } = await payWithFaults('timeout', [
      { kind: 'latency', latencyMs: 3_000, count: 1, match: { method: 'POST' } },
    ]);
    const result = await h.client.result(paymentId);
    expect(result.status).toBe('succeeded');
    expect(await ledgerFor(h.gateway.url, paymentId)).toHaveLength(1);
  });

  // With the degradation ladder switched off (and in runs started before it): the ladder's end is in
  // test/payment/degradation-ladder.test.ts.
  it('dead-letters after 5xx exhausts the retries, then an operator retry succeeds', async () => {
    const { paymentId } = await payWithFaults(
      '5xx-dl',
      [{ kind: 'status', status: 500, count: 4, match: { method: 'POST' } }],
      h.clientWith({ degradation: null }),
    );
    const parked = await waitForStatus(h.client, paymentId, 'dead_lettered');
    expect(parked.reason).toBe('gateway_unavailable_not_charged');
    expect(await ledgerFor(h.gateway.url, paymentId)).toHaveLength(0);
    // Operators find it by search attribute, as in the UI: PaymentStatus = 'dead_lettered'.
    const listed = await eventually(
      () => h.client.listPayments({ status: 'dead_lettered' }),
      (list) => list.some((p) => p.paymentId === paymentId),
    );
    expect(listed.map((p) => p.paymentId)).toContain(paymentId);
    await expect(h.client.retryDeadLetter(paymentId)).resolves.toEqual({ status: 'processing' });
    const result = await h.client.result(paymentId);
    expect(result.status).toBe('succeeded');
    expect(await ledgerFor(h.gateway.url, paymentId)).toHaveLength(1);
    await saveHistory(h.env, 'dead-letter-then-operator-retry', paymentId);
  });
});
