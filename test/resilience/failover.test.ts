/**
 * Failover to the secondary gateway with real components: two sandbox gateways (each its own ledger and request
 * log), a worker with one breaker per gateway, the dev server. Faults are injected at the primary; the ledgers
 * and request logs are the proof of what reached which gateway.
 */
import { paymentIdFromKey } from '../../client/payment-id';
import { isGatewayOutage } from '../../gateways/port';
import { createLogger } from '../../logging/logger';
import { CircuitBreaker, type BreakerSettings, type BreakerState } from '../../resilience/circuit-breaker';
import { paymentWorkflowId } from '../../shared/ids';
import { PaymentGatewayKey } from '../../shared/search-attributes';
import { addFault, addFaultsFor, clearFaults, gatewayRequests, ledgerFor } from '../support/gateway-admin';
import { saveHistory } from '../support/histories';
import { startPaymentHarness, uniqueKey, type PaymentHarness } from '../support/payment-harness';
import { eventually } from '../support/wait';
import { VISA } from '../support/cards';

const logger = createLogger({ level: 'silent' });

function observedBreaker(gateway: string, settings: BreakerSettings) {
  const changes: BreakerState[] = [];
  const breaker = new CircuitBreaker({
    gateway,
    settings,
    counts: isGatewayOutage,
    logger,
    observer: { stateChanged: (_g, to) => changes.push(to), refused: () => undefined },
  });
  return { breaker, changes };
}

const keyOf = (paymentId: string) => (r: { idempotencyKey?: string }) =>
  r.idempotencyKey?.startsWith(paymentId) ?? false;

/** Both ledgers' succeeded charges of a payment: exactly one across them is the rule. */
async function chargesAcross(h: PaymentHarness, paymentId: string) {
  const primary = (await ledgerFor(h.gateway.url, paymentId)).filter((c) => c.status === 'succeeded');
  const secondary = (await ledgerFor(h.secondary!.url, paymentId)).filter((c) => c.status === 'succeeded');
  return { primary, secondary };
}

async function refundsAt(url: string, chargeId: string): Promise<Array<{ id: string; amount: number }>> {
  const res = await fetch(`${url}/_sandbox/ledger?charge=${chargeId}`);
  return ((await res.json()) as { refunds: Array<{ id: string; amount: number }> }).refunds;
}

describe('a primary outage: new payments go to the secondary, none is charged twice', () => {
  const settings = { failureThreshold: 5, halfOpenAfterMs: 4_000, halfOpenMaxCalls: 3 };
  const primary = observedBreaker('primary', settings);
  const secondary = observedBreaker('secondary', settings);
  let h: PaymentHarness;
  beforeAll(async () => {
    h = await startPaymentHarness({
      resilience: { breaker: primary.breaker },
      failover: { secondaryBreaker: secondary.breaker },
    });
  });
  afterAll(async () => {
    await h?.teardown();
  });

  it('opens the primary breaker, fails new payments over unsent, recovers through half-open, refunds where charged', async () => {
    const client = h.clientWith({
      gatewayRetry: { initialIntervalMs: 100, maximumIntervalMs: 2_000, backoffCoefficient: 2, maximumAttempts: 20 },
    });
    await addFault(h.gateway.url, { kind: 'status', status: 503, probability: 1 });
    const firstKey = uniqueKey('fo-first');
    const firstId = paymentIdFromKey(firstKey);
    await client.startPayment({ idempotencyKey: firstKey, amount: 2500, currency: 'USD', paymentMethod: VISA });
    await eventually(
      async () => primary.breaker.state(),
      (s) => s === 'open',
      20_000,
    );
    // Within the threshold: exactly 5 requests reached the primary, all the first payment's.
    const atOpen = await gatewayRequests(h.gateway.url);
    expect(atOpen).toHaveLength(settings.failureThreshold);
    expect(atOpen.every(keyOf(firstId))).toBe(true);

    // While open, new payments go straight to the secondary and succeed there.
    const others: string[] = [];
    for (let i = 0; i < 3; i++) {
      const key = uniqueKey(`fo-${i}`);
      await client.startPayment({ idempotencyKey: key, amount: 1500 + i, currency: 'USD', paymentMethod: VISA });
      others.push(paymentIdFromKey(key));
    }
    for (const id of others) {
      const result = await client.result(id);
      expect(result).toMatchObject({ status: 'succeeded', gateway: 'secondary' });
      const { primary: p, secondary: s } = await chargesAcross(h, id);
      expect(p).toHaveLength(0);
      expect(s).toHaveLength(1);
      expect(s[0].idempotency_key).toBe(`${id}:v1:via-secondary`);
      expect(result.chargeId).toBe(s[0].id);
    }
    // The primary saw nothing more: no charge, no lookup, while its breaker was open.
    expect(primary.breaker.state()).toBe('open');
    expect(await gatewayRequests(h.gateway.url)).toHaveLength(settings.failureThreshold);
    // The first payment's charge had gone out (503s: unknown): it never failed over, it waits for the primary.
    expect((await h.client.getPayment(firstId)).status).toBe('processing');
    expect((await gatewayRequests(h.secondary!.url)).filter(keyOf(firstId))).toHaveLength(0);

    // Recorded: the audit trail (where from, why, where charged), the state, and the search attribute.
    const trail = await h.audit.history(others[0]);
    const processing = trail.filter((r) => r.status === 'processing');
    expect(processing.map((r) => r.metadata.gateway)).toEqual(['primary', 'secondary']);
    expect(processing[1].metadata).toMatchObject({ failoverFrom: 'primary', failoverReason: 'GatewayCircuitOpen' });
    expect(trail.find((r) => r.status === 'succeeded')?.metadata).toMatchObject({ gateway: 'secondary', routed: true });
    const described = await h.env.client.workflow.getHandle(paymentWorkflowId(others[0])).describe();
    expect(described.typedSearchAttributes.get(PaymentGatewayKey)).toBe('secondary');
    await saveHistory(h.env, 'failover-breaker-open-to-secondary', others[0]);

    // A refund of a payment charged at the secondary goes to the secondary.
    const charged = (await chargesAcross(h, others[0])).secondary[0];
    const refund = await h.client.refund(others[0], { amount: 500, requestKey: uniqueKey('fo-refund') });
    expect(refund).toMatchObject({ status: 'succeeded', amount: 500 });
    expect(await refundsAt(h.secondary!.url, charged.id)).toEqual([expect.objectContaining({ amount: 500 })]);
    expect(await refundsAt(h.gateway.url, charged.id)).toEqual([]);
    expect((await gatewayRequests(h.gateway.url)).some((r) => r.path.includes('refund'))).toBe(false);

    // The primary recovers: after the break a trial call goes through, the breaker closes, the first payment
    // charges once at the primary (it asks first: its charge had gone out).
    await clearFaults(h.gateway.url);
    const first = await h.client.result(firstId);
    expect(first).toMatchObject({ status: 'succeeded', gateway: 'primary' });
    expect(primary.changes).toEqual(['closed', 'open', 'half_open', 'closed']);
    expect(secondary.changes).toEqual(['closed']);
    const { primary: p1, secondary: s1 } = await chargesAcross(h, firstId);
    expect(p1).toHaveLength(1);
    expect(s1).toHaveLength(0);

    // Closed again: the next payment is the primary's.
    const afterKey = uniqueKey('fo-after');
    await client.startPayment({ idempotencyKey: afterKey, amount: 900, currency: 'USD', paymentMethod: VISA });
    expect(await client.result(paymentIdFromKey(afterKey))).toMatchObject({ status: 'succeeded', gateway: 'primary' });

    // Across both ledgers, exactly one successful charge per payment.
    for (const id of [firstId, ...others, paymentIdFromKey(afterKey)]) {
      const { primary: p, secondary: s } = await chargesAcross(h, id);
      expect(p.length + s.length).toBe(1);
    }
  });
});

describe('an unknown outcome at the primary never fails over', () => {
  let h: PaymentHarness;
  beforeAll(async () => {
    h = await startPaymentHarness({ failover: {} });
  });
  afterAll(async () => {
    await h?.teardown();
  });

  it('a commit-then-drop, then failing look-ups: stays at the primary until it answers, one charge', async () => {
    const client = h.clientWith({
      gatewayRetry: { initialIntervalMs: 100, maximumIntervalMs: 200, backoffCoefficient: 2, maximumAttempts: 2 },
      unknownOutcome: { checkIntervalMs: 300, maxChecks: 20 },
    });
    const key = uniqueKey('fo-drop');
    const paymentId = paymentIdFromKey(key);
    // The charge lands, its answer is lost; the retry's own check and the janitor's first looks get 503s.
    await addFaultsFor(h.gateway.url, paymentId, [
      { kind: 'commit_then_drop', match: { method: 'POST' } },
      { kind: 'status', status: 503, count: 4, match: { method: 'GET' } },
    ]);
    await client.startPayment({ idempotencyKey: key, amount: 4200, currency: 'USD', paymentMethod: VISA });
    const result = await client.result(paymentId);
    expect(result).toMatchObject({ status: 'succeeded', gateway: 'primary' });
    const { primary, secondary } = await chargesAcross(h, paymentId);
    expect(primary).toHaveLength(1);
    expect(secondary).toHaveLength(0);
    // The secondary never heard of it: no charge, no token exchange named for a charge, no lookup.
    expect((await gatewayRequests(h.secondary!.url)).filter(keyOf(paymentId))).toEqual([]);
    const trail = await h.audit.history(paymentId);
    expect(trail.map((r) => r.status)).toContain('unknown');
    expect(trail.every((r) => r.metadata.failoverFrom === undefined)).toBe(true);
    await saveHistory(h.env, 'failover-unknown-stays-at-primary', paymentId);
  });
});
