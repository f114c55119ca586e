/**
 * The gateway's circuit breaker with real components: a worker running the production activities through the
 * breaker, the sandbox gateway failing with 503 by fault injection, and its request log and ledger as proof of
 * what reached the gateway.
 */
import { paymentIdFromKey } from '../../client/payment-id';
import { isGatewayOutage } from '../../gateways/port';
import { createLogger } from '../../logging/logger';
import { CircuitBreaker, type BreakerSettings, type BreakerState } from '../../resilience/circuit-breaker';
import { addFault, clearFaults, gatewayRequests, ledgerFor, type GatewayRequest } from '../support/gateway-admin';
import { startPaymentHarness, uniqueKey, type PaymentHarness } from '../support/payment-harness';
import { eventually, waitForStatus } from '../support/wait';
import { VISA } from '../support/cards';

const STOLEN = { type: 'card' as const, number: '4000000000009979' };
const logger = createLogger({ level: 'silent' });

/** A breaker whose changes are kept with the time they happened. */
function observedBreaker(settings: BreakerSettings) {
  const changes: Array<{ to: BreakerState; at: number }> = [];
  const breaker = new CircuitBreaker({
    gateway: 'sandbox',
    settings,
    counts: isGatewayOutage,
    logger,
    observer: { stateChanged: (_g, to) => changes.push({ to, at: Date.now() }), refused: () => undefined },
  });
  return { breaker, changes };
}

const forKey = (paymentId: string) => (r: GatewayRequest) => r.idempotencyKey?.startsWith(paymentId) ?? false;

async function pay(h: PaymentHarness, label: string, paymentMethod = VISA, client = h.client) {
  const idempotencyKey = uniqueKey(label);
  const paymentId = paymentIdFromKey(idempotencyKey);
  await client.startPayment({ idempotencyKey, amount: 2500, currency: 'USD', paymentMethod });
  return paymentId;
}

describe('an outage: the breaker opens, sends nothing while open, tries again and closes', () => {
  // A break long enough that starting the other payments and watching for 1.5 s fits inside it on a loaded machine.
  const settings = { failureThreshold: 5, halfOpenAfterMs: 4_000, halfOpenMaxCalls: 3 };
  const { breaker, changes } = observedBreaker(settings);
  let h: PaymentHarness;
  beforeAll(async () => {
    h = await startPaymentHarness({ resilience: { breaker } });
  });
  afterAll(async () => {
    await h?.teardown();
  });

  it('opens after exactly the threshold of 503s, refuses new payments unsent, and every payment charges once', async () => {
    const client = h.clientWith({
      gatewayRetry: { initialIntervalMs: 100, maximumIntervalMs: 2_000, backoffCoefficient: 2, maximumAttempts: 20 },
    });
    await addFault(h.gateway.url, { kind: 'status', status: 503, probability: 1 });
    const first = uniqueKey('outage-first');
    const firstId = paymentIdFromKey(first);
    await client.startPayment({ idempotencyKey: first, amount: 2500, currency: 'USD', paymentMethod: VISA });
    await eventually(
      async () => breaker.state(),
      (s) => s === 'open',
      20_000,
    );
    const openedAt = changes.find((c) => c.to === 'open')!.at;
    const atOpen = await gatewayRequests(h.gateway.url);
    expect(atOpen).toHaveLength(settings.failureThreshold); // all the first payment's: its charge, then its checks
    expect(atOpen.every(forKey(firstId))).toBe(true);

    // While open: new payments are refused in the worker, and the gateway sees nothing at all.
    const others = [];
    for (let i = 0; i < 3; i++) {
      const key = uniqueKey(`outage-${i}`);
      await client.startPayment({ idempotencyKey: key, amount: 2500, currency: 'USD', paymentMethod: VISA });
      others.push(paymentIdFromKey(key));
    }
    await new Promise((r) => setTimeout(r, 1_500));
    expect(breaker.state()).toBe('open');
    expect(await gatewayRequests(h.gateway.url)).toHaveLength(settings.failureThreshold);
    for (const id of others) expect((await h.client.getPayment(id)).status).toBe('processing');

    await clearFaults(h.gateway.url); // the gateway recovers while the breaker is still open
    for (const id of [firstId, ...others]) {
      const result = await h.client.result(id);
      expect(result.status).toBe('succeeded');
      expect(await ledgerFor(h.gateway.url, id)).toHaveLength(1);
    }
    const after = (await gatewayRequests(h.gateway.url)).slice(settings.failureThreshold);
    // Nothing went out before the break ended; then the trial, and the breaker closed again.
    expect(after[0].at).toBeGreaterThanOrEqual(openedAt + settings.halfOpenAfterMs - 50);
    expect(changes.map((c) => c.to)).toEqual(['closed', 'open', 'half_open', 'closed']); // the first is the start
    // A payment refused before it ever sent knows no request went out: its first request is the charge, no check.
    for (const id of others) expect(after.find(forKey(id))).toMatchObject({ method: 'POST', path: '/v1/charges' });
    // The first payment's charge had gone out (503): its retry asks the gateway before sending again.
    expect(after.find(forKey(firstId))).toMatchObject({ method: 'GET', path: '/v1/charges' });
  });

  it('declines never trip it: a run of fraud declines leaves it closed', async () => {
    const before = changes.length;
    const ids = [];
    for (let i = 0; i < settings.failureThreshold + 3; i++) ids.push(await pay(h, `declined-${i}`, STOLEN));
    for (const id of ids) expect((await h.client.result(id)).status).toBe('failed');
    expect(breaker.state()).toBe('closed');
    expect(changes.slice(before)).toEqual([]);
  });
});

describe('refused for longer than the worker waits', () => {
  const { breaker } = observedBreaker({ failureThreshold: 5, halfOpenAfterMs: 120_000, halfOpenMaxCalls: 3 });
  let h: PaymentHarness;
  beforeAll(async () => {
    h = await startPaymentHarness({ resilience: { breaker, maxDeferralMs: 1_500 } });
  });
  afterAll(async () => {
    await h?.teardown();
  });

  // With the degradation ladder switched off (and in runs started before it); with it, the same payment is queued
  // or fails gracefully (test/payment/degradation-ladder.test.ts).
  it('dead-letters a payment that never sent anything as not charged, without the unknown-outcome janitor', async () => {
    await addFault(h.gateway.url, { kind: 'status', status: 503, probability: 1 });
    const tripping = await pay(h, 'tripping');
    await eventually(
      async () => breaker.state(),
      (s) => s === 'open',
      20_000,
    );
    const refused = await pay(h, 'refused', VISA, h.clientWith({ degradation: null }));
    const state = await waitForStatus(h.client, refused, 'dead_lettered', 20_000);
    expect(state.reason).toBe('gateway_unavailable_not_charged');
    expect(state.history.map((c) => c.status)).not.toContain('unknown');
    expect(state.attempts).toEqual([]); // no attempt reached the gateway
    expect((await gatewayRequests(h.gateway.url)).filter(forKey(refused))).toEqual([]);
    expect(await ledgerFor(h.gateway.url, refused)).toEqual([]);
    // The payment whose charge had gone out is not "not charged": its outcome is unknown and it is looked up.
    const first = await eventually(
      () => h.client.getPayment(tripping),
      (s) => s.history.some((c) => c.status === 'unknown'),
      20_000,
    );
    expect(first.history.map((c) => c.status)).toContain('unknown');
  });
});
