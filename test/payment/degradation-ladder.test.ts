/**
 * The degradation ladder's end (seed 002, levels 4-6) with real components: the dev server, a worker with the
 * production activities behind a circuit breaker, the sandbox gateway failing every request (fault injection)
 * and its ledger and request log as proof of what was charged, the audit trail, and a merchant endpoint on
 * loopback that checks every event's signature. A total outage: every gateway request answers 503, and the
 * breaker is open before the payment starts, so the worker refuses its charge unsent (the "not charged" hook).
 */
import { randomUUID } from 'node:crypto';
import { paymentIdFromKey } from '../../client/payment-id';
import type { PaymentsClient } from '../../client/payments-client';
import { createSandboxGateway } from '../../gateways/sandbox';
import { isGatewayOutage } from '../../gateways/port';
import { createLogger } from '../../logging/logger';
import { CircuitBreaker } from '../../resilience/circuit-breaker';
import { gracefulFailureMessage } from '../../shared/degradation';
import { CustomerMessage } from '../../shared/outcome-messages';
import type { DegradationPolicy } from '../../shared/payment-types';
import { VISA } from '../support/cards';
import { addFault, addFaultsFor, clearFaults, gatewayRequests, ledgerFor } from '../support/gateway-admin';
import { saveHistory } from '../support/histories';
import { startMerchantReceiver, type MerchantReceiver } from '../support/merchant-receiver';
import { startPaymentHarness, uniqueKey, type PaymentHarness } from '../support/payment-harness';
import { eventually, waitForStatus } from '../support/wait';

const SECRET = 'merchant_webhook_secret_0123456789';
const ALTERNATIVES = ['PayPal', 'bank transfer'];
/** Test-sized: looks every 0.3-1 s; a minute in the queue unless a test shortens it. */
const LADDER: DegradationPolicy = {
  queueTrusted: true,
  trustFlagged: true,
  trustAfterPayments: 2,
  maxQueueMs: 60_000,
  probeIntervalMs: 300,
  probeMaxIntervalMs: 1_000,
  alternativePaymentMethods: ALTERNATIVES,
};

async function pay(
  client: PaymentsClient,
  label: string,
  extra: { trustedCustomer?: boolean; customerId?: string } = {},
): Promise<string> {
  const idempotencyKey = uniqueKey(label);
  await client.startPayment({ idempotencyKey, amount: 4200, currency: 'USD', paymentMethod: VISA, ...extra });
  return paymentIdFromKey(idempotencyKey);
}

describe('a total outage with the breaker open', () => {
  // Opens on the first outage failure and stays open 6 s: longer than the 1.5 s a refused charge waits (so the
  // payment's own charge is never the breaker's trial call), short enough for recovery inside a test.
  const breaker = new CircuitBreaker({
    gateway: 'sandbox',
    settings: { failureThreshold: 1, halfOpenAfterMs: 6_000, halfOpenMaxCalls: 3 },
    counts: isGatewayOutage,
    logger: createLogger({ level: 'silent' }),
  });
  let receiver: MerchantReceiver;
  let h: PaymentHarness;
  let client: PaymentsClient;
  let side: ReturnType<typeof createSandboxGateway>;

  beforeAll(async () => {
    receiver = await startMerchantReceiver(SECRET);
    h = await startPaymentHarness({
      resilience: { breaker, maxDeferralMs: 1_500 },
      merchantWebhook: { url: receiver.url, secret: SECRET },
    });
    client = h.clientWith({ degradation: LADDER });
    // The test's own calls through the worker's breaker: to open it, and to let it close again.
    side = createSandboxGateway({
      baseUrl: h.gateway.url,
      apiKey: 'sk_test_sandbox',
      connectTimeoutMs: 1_000,
      readTimeoutMs: 2_000,
    });
  });
  afterAll(async () => {
    await side?.close();
    await h?.teardown();
    await receiver?.close();
  });

  const throughBreaker = () =>
    breaker.run(() => side.findCharge({ paymentId: randomUUID(), idempotencyKey: `probe-${randomUUID()}` }));

  /** Every gateway request fails, and the breaker has just opened on one of them (6 s before its next trial). */
  async function totalOutage(): Promise<void> {
    await addFault(h.gateway.url, { kind: 'status', status: 503, probability: 1 });
    await expect(throughBreaker()).rejects.toThrow();
    expect(breaker.state()).toBe('open');
  }

  /** The gateway is back and the breaker closed (its trial call answered). */
  async function recovered(): Promise<void> {
    await clearFaults(h.gateway.url);
    const closed = await eventually(
      () =>
        throughBreaker().then(
          () => breaker.state(),
          () => breaker.state(),
        ),
      (s) => s === 'closed',
      15_000,
    );
    expect(closed).toBe('closed');
  }
  afterEach(recovered);

  const eventsOf = (paymentId: string) => receiver.events().filter((e) => e.data.paymentId === paymentId);
  const sentFor = async (paymentId: string) =>
    (await gatewayRequests(h.gateway.url)).filter((r) => r.idempotencyKey?.startsWith(paymentId));

  it("queues a trusted customer's payment, visibly, and charges it once by itself after recovery", async () => {
    await totalOutage();
    const paymentId = await pay(client, 'queued-ok', { trustedCustomer: true, customerId: 'cus_trusted_1' });
    const queued = await waitForStatus(h.client, paymentId, 'queued', 20_000);
    expect(queued.customerMessage).toBe(CustomerMessage.delayed);
    expect(Date.parse(queued.queuedUntil as string)).toBeGreaterThan(Date.now());
    expect(queued.attempts).toEqual([]); // nothing reached the gateway
    expect(await sentFor(paymentId)).toEqual([]);
    // Every record says queued: the audit row (with why it was trusted), the search attribute, the event out.
    const rows = await h.audit.history(paymentId);
    expect(rows.at(-1)).toMatchObject({
      status: 'queued',
      metadata: expect.objectContaining({ reason: 'gateway_unavailable', trust: 'flag', requestSent: false }),
    });
    const listed = await eventually(
      () => client.listPayments({ status: 'queued' }),
      (list) => list.some((p) => p.paymentId === paymentId),
    );
    expect(listed.map((p) => p.paymentId)).toContain(paymentId);
    const delayed = await eventually(
      async () => eventsOf(paymentId),
      (events) => events.some((e) => e.type === 'payment.delayed'),
      20_000,
    );
    expect(delayed.find((e) => e.type === 'payment.delayed')?.data).toMatchObject({
      paymentId,
      status: 'queued',
      amount: 4200,
      queuedUntil: queued.queuedUntil,
      customerMessage: CustomerMessage.delayed,
    });

    await clearFaults(h.gateway.url); // the gateway recovers; the breaker is still open until its trial
    const result = await client.result(paymentId);
    expect(result.status).toBe('succeeded');
    const charges = await ledgerFor(h.gateway.url, paymentId);
    expect(charges.map((c) => c.status)).toEqual(['succeeded']);
    const after = await client.getPayment(paymentId);
    expect(after.queuedUntil).toBeUndefined();
    expect(after.history.map((c) => c.status)).toEqual([
      'initiated',
      'processing',
      'queued',
      'processing',
      'succeeded',
    ]);
    // The charge after the queue asked the gateway first: its key's lookup, then the one charge.
    const sent = await sentFor(paymentId);
    expect(sent.filter((r) => r.method === 'POST').map((r) => r.path)).toEqual(['/v1/charges']);
    await eventually(
      async () => eventsOf(paymentId).map((e) => e.type),
      (types) => types.includes('payment.succeeded'),
      20_000,
    );
    expect(eventsOf(paymentId).map((e) => e.type)).toEqual(['payment.delayed', 'payment.succeeded']);
    await saveHistory(h.env, 'queued-then-succeeds', paymentId);
  });

  it('fails an untrusted customer gracefully: the seed message, the alternatives, payment.failed out', async () => {
    await totalOutage();
    const paymentId = await pay(client, 'untrusted', { customerId: `cus_new_${randomUUID().slice(0, 8)}` });
    const result = await client.result(paymentId);
    const message = gracefulFailureMessage(ALTERNATIVES);
    expect(message).toBe(
      "We're experiencing issues. Please try again later. You can also pay with PayPal or bank transfer. " +
        'You have not been charged.',
    );
    expect(result).toMatchObject({ status: 'failed', customerMessage: message });
    const state = await client.getPayment(paymentId);
    expect(state.reason).toBe('gateway_unavailable_not_charged');
    expect(state.alternativePaymentMethods).toEqual(ALTERNATIVES);
    expect(state.history.map((c) => c.status)).toEqual(['initiated', 'processing', 'failed']);
    expect(await ledgerFor(h.gateway.url, paymentId)).toEqual([]);
    expect(await sentFor(paymentId)).toEqual([]);
    const failed = await eventually(
      async () => eventsOf(paymentId),
      (events) => events.some((e) => e.type === 'payment.failed'),
      20_000,
    );
    expect(failed.map((e) => e.type)).toEqual(['payment.failed']);
    expect(failed[0].data).toMatchObject({
      paymentId,
      status: 'failed',
      reason: 'gateway_unavailable_not_charged',
      customerMessage: message,
      alternativePaymentMethods: 'PayPal, bank transfer',
    });
    // The receiver accepted it only with a valid signature.
    expect(receiver.deliveries.filter((d) => d.event.id === failed[0].id).every((d) => d.signed)).toBe(true);
  });

  it("cancels a queued payment at the customer's request: cancelled, nothing charged", async () => {
    await totalOutage();
    const paymentId = await pay(client, 'queued-cancel', { trustedCustomer: true });
    await waitForStatus(h.client, paymentId, 'queued', 20_000);
    await expect(client.cancel(paymentId, 'customer changed their mind')).resolves.toEqual({ status: 'cancelled' });
    const state = await client.getPayment(paymentId);
    expect(state).toMatchObject({ status: 'cancelled', customerMessage: CustomerMessage.cancelled });
    expect(state.reason).toBe('customer changed their mind');
    expect(state.history.map((c) => c.status)).toEqual(['initiated', 'processing', 'queued', 'cancelled']);
    await clearFaults(h.gateway.url);
    expect(await ledgerFor(h.gateway.url, paymentId)).toEqual([]);
    expect(await sentFor(paymentId)).toEqual([]);
    // A cancelled payment takes no operator retry.
    await expect(client.retryQueuedNow(paymentId)).rejects.toThrow(/cancelled/);
    await saveHistory(h.env, 'queued-then-cancelled', paymentId);
  });

  it('ends a payment queued past its window in a graceful failure, nothing charged', async () => {
    await totalOutage();
    const short = h.clientWith({ degradation: { ...LADDER, maxQueueMs: 2_500 } });
    const paymentId = await pay(short, 'queued-expired', { trustedCustomer: true });
    const queued = await waitForStatus(h.client, paymentId, 'queued', 20_000);
    const result = await short.result(paymentId);
    expect(result).toMatchObject({ status: 'failed', customerMessage: gracefulFailureMessage(ALTERNATIVES) });
    const state = await short.getPayment(paymentId);
    expect(state.reason).toBe('queue_window_expired');
    const failedAt = Date.parse(state.history.at(-1)!.at);
    expect(failedAt).toBeGreaterThanOrEqual(Date.parse(queued.queuedUntil as string));
    expect(await ledgerFor(h.gateway.url, paymentId)).toEqual([]);
  });
});

describe('trust by earlier payments, and an operator charging a queued payment now', () => {
  // No breaker: the charge's own retries run out against 500s, the janitor finds no charge under the key, and
  // that "not charged" is the ladder's hook too.
  let h: PaymentHarness;
  beforeAll(async () => {
    h = await startPaymentHarness();
  });
  afterAll(async () => {
    await h?.teardown();
  });

  /** Waits at most a minute between looks: only the operator's retry-now brings it back within the test. */
  const patient = () =>
    h.clientWith({ degradation: { ...LADDER, probeIntervalMs: 60_000, probeMaxIntervalMs: 60_000 } });

  async function payThrough500s(client: PaymentsClient, label: string, customerId: string): Promise<string> {
    const idempotencyKey = uniqueKey(label);
    const paymentId = paymentIdFromKey(idempotencyKey);
    await addFaultsFor(h.gateway.url, paymentId, [
      { kind: 'status', status: 500, count: 4, match: { method: 'POST' } },
    ]);
    await client.startPayment({ idempotencyKey, amount: 1500, currency: 'EUR', paymentMethod: VISA, customerId });
    return paymentId;
  }

  async function succeededPayments(client: PaymentsClient, customerId: string, n: number): Promise<void> {
    for (let i = 0; i < n; i++) {
      const id = await pay(client, `earlier-${i}`, { customerId });
      expect((await client.result(id)).status).toBe('succeeded');
    }
  }

  it('queues the payment of a customer with enough succeeded payments; retry-now charges it once', async () => {
    const client = patient();
    const customerId = `cus_regular_${randomUUID().slice(0, 8)}`;
    await succeededPayments(client, customerId, 2);
    const paymentId = await payThrough500s(client, 'regular', customerId);
    const queued = await waitForStatus(client, paymentId, 'queued', 30_000);
    expect(queued.history.map((c) => c.status)).toContain('unknown'); // sent, then looked up: no charge
    const row = (await h.audit.history(paymentId)).at(-1);
    expect(row?.metadata).toMatchObject({ trust: 'prior_payments', priorPayments: 2 });
    expect(await ledgerFor(h.gateway.url, paymentId)).toEqual([]);
    await expect(client.retryQueuedNow(paymentId, 'gateway is back')).resolves.toEqual({ status: 'processing' });
    expect((await client.result(paymentId)).status).toBe('succeeded');
    expect((await ledgerFor(h.gateway.url, paymentId)).map((c) => c.status)).toEqual(['succeeded']);
  });

  it('fails the payment of a customer with too few, and refuses retry-now for a payment not queued', async () => {
    const client = patient();
    const customerId = `cus_once_${randomUUID().slice(0, 8)}`;
    await succeededPayments(client, customerId, 1);
    const paymentId = await payThrough500s(client, 'once', customerId);
    const result = await client.result(paymentId);
    expect(result).toMatchObject({ status: 'failed', customerMessage: gracefulFailureMessage(ALTERNATIVES) });
    const state = await client.getPayment(paymentId);
    expect(state.reason).toBe('gateway_unavailable_not_charged');
    expect((await h.audit.history(paymentId)).at(-1)?.metadata).toMatchObject({ trust: 'none', priorPayments: 1 });
    expect(await ledgerFor(h.gateway.url, paymentId)).toEqual([]);
    await expect(client.retryQueuedNow(paymentId)).rejects.toThrow(/failed/);
  });

  it('with the ladder switched off, the same payment is dead-lettered for an operator, as before', async () => {
    const off = h.clientWith({ degradation: null });
    const paymentId = await payThrough500s(off, 'ladder-off', `cus_off_${randomUUID().slice(0, 8)}`);
    const parked = await waitForStatus(off, paymentId, 'dead_lettered', 30_000);
    expect(parked.reason).toBe('gateway_unavailable_not_charged');
    await expect(off.cancel(paymentId)).resolves.toEqual({ status: 'cancelled' });
  });
});
