/** The outage scenario's pure parts: its flags, the count across both ledgers, the request window, the phases. */
import { checkLedgerAcross, paymentsCharged, type LedgerCharge } from '../../bench/lib/ledger';
import { DEFAULTS, parseOptions, RESILIENCE_OFF_ENV } from '../../bench/lib/options';
import { outageTable } from '../../bench/lib/report';
import { phaseOf, requestsIn, type OutageStats } from '../../bench/scenarios/outage';

const charge = (id: string, paymentId: string, key: string): LedgerCharge => ({
  id,
  idempotency_key: key,
  status: 'succeeded',
  amount: 1999,
  metadata: { payment_id: paymentId },
});

describe('outage options', () => {
  it('is not in the default set, takes its sizes from flags, --rate and BENCH_*, and runs alone', () => {
    expect(parseOptions([], {}, '/o').scenarios).not.toContain('outage');
    const d = parseOptions(['--scenarios', 'outage'], {}, '/o');
    expect([d.outageRate, d.outageSeconds, d.outageRunSeconds, d.outageResilience]).toEqual([20, 30, 90, 'on']);
    expect(DEFAULTS.outageRate).toBe(20);
    const o = parseOptions(['--scenarios', 'outage', '--rate', '10', '--outage-seconds', '20'], {}, '/o');
    expect([o.outageRate, o.outageSeconds, o.outageRunSeconds]).toEqual([10, 20, 90]);
    // A window longer than a third of the default run stretches the run so the outage stays mid-run.
    expect(parseOptions(['--outage-seconds', '40'], {}, '/o').outageRunSeconds).toBe(120);
    expect(parseOptions([], { BENCH_OUTAGE_RATE: '7' }, '/o').outageRate).toBe(7);
    expect(() => parseOptions(['--scenarios', 'outage,faults'], {}, '/o')).toThrow(/runs alone/);
    expect(() => parseOptions(['--outage-seconds', '30', '--outage-run-seconds', '30'], {}, '/o')).toThrow(/shorter/);
    expect(() => parseOptions(['--outage-resilience', 'maybe'], {}, '/o')).toThrow(/on or off/);
  });

  it('off sets breaker threshold and budget out of reach; explicit --worker-env wins', () => {
    const off = parseOptions(['--outage-resilience', 'off', '--worker-env', 'RETRY_BUDGET_BURST=7'], {}, '/o');
    expect(off.workerEnv).toEqual({ ...RESILIENCE_OFF_ENV, RETRY_BUDGET_BURST: '7' });
    expect(Number(off.workerEnv.CIRCUIT_BREAKER_FAILURE_THRESHOLD)).toBeGreaterThan(1e6);
    expect(parseOptions([], {}, '/o').workerEnv).toEqual({});
  });
});

describe('charges across both ledgers', () => {
  it('counts by payment id, so a charge on the secondary under its own key is the same payment', () => {
    const payments = new Map([
      ['p1', true],
      ['p2', true],
      ['p3', true],
      ['p4', false],
    ]);
    const primary = [charge('ch_1', 'p1', 'p1:v1'), charge('ch_3', 'p3', 'p3:v1'), charge('ch_x', 'other', 'x:v1')];
    const secondary = [charge('ch_2', 'p2', 'p2:v1:via-secondary'), charge('ch_3b', 'p3', 'p3:v1:via-secondary')];
    const check = checkLedgerAcross([primary, secondary], payments);
    expect(check).toMatchObject({ succeeded: 3, exactlyOne: 2, duplicates: 1, missing: 0, maxChargesPerKey: 2 });
    expect(check.chargesPerKey).toEqual({ '0': 1, '1': 2, '2': 1 });
    expect(paymentsCharged(primary, payments)).toBe(2);
    expect(paymentsCharged(secondary, payments)).toBe(2);
    expect(checkLedgerAcross([[], secondary], new Map([['p1', true]]))).toMatchObject({ missing: 1 });
  });
});

describe('outage window', () => {
  it('splits requests in the window into charge attempts and the rest', () => {
    const requests = [
      { at: 99, method: 'POST', path: '/v1/charges' },
      { at: 100, method: 'POST', path: '/v1/charges' },
      { at: 150, method: 'GET', path: '/v1/charges' },
      { at: 160, method: 'POST', path: '/v1/charges/ch_1/refunds' },
      { at: 200, method: 'POST', path: '/v1/charges' },
    ];
    expect(requestsIn(requests, 100, 200)).toEqual({ charges: 1, other: 2 });
    expect(requestsIn(requests, 200, Infinity)).toEqual({ charges: 1, other: 0 });
  });

  it('puts a payment in the phase of its scheduled start', () => {
    const w = { from: 30_000, to: 60_000 };
    expect([phaseOf(29_999, w), phaseOf(30_000, w), phaseOf(59_999, w), phaseOf(60_000, w)]).toEqual([
      'before',
      'during',
      'during',
      'after',
    ]);
  });

  it('renders a row per run with both ledgers and the phases', () => {
    const lat = { count: 2, meanMs: 5, p50Ms: 4, p90Ms: 6, p99Ms: 6, maxMs: 6 };
    const run: OutageStats = {
      resilience: 'off',
      windowMs: { from: 35_000, to: 55_000 },
      primaryDuringOutage: { charges: 40, other: 3, chargeRequestsPerSec: 2 },
      primaryCharges: { total: 90, afterOutage: 50 },
      chargedOn: { primary: 60, secondary: 30 },
      ledger: checkLedgerAcross([[charge('c', 'p', 'p:v1')]], new Map([['p', true]])),
      latencyByPhase: { before: lat, during: lat, after: { ...lat, count: 0 } },
      faultHits: 40,
    };
    const md = outageTable([run]);
    expect(md).toContain(
      '| off | 35–55 | 40 (2/s) | 3 | 50 | 60 / 30 | 1 for all 1 | 4.00 / 6.00 (2) | 4.00 / 6.00 (2) | – |',
    );
  });
});
