/** The bench's target lines: the charge check passes only on payments it checked, and the memory target's setting. */
import type { ResultRow } from '../../bench/lib/context';
import { checkLedger } from '../../bench/lib/ledger';
import { targets } from '../../bench/lib/targets';
import type { ParkedRound } from '../../bench/scenarios/parked';

const OPTIONS = { p99TargetMs: 1000 };

/** A parked round whose ledger check saw `succeeded` payments, each charged `charges` times. */
function round(parked: number, succeeded: number, charges = 1, workerRssMiB = 500): ParkedRound {
  const keys = new Map(Array.from({ length: succeeded }, (_, i) => [`pay_${i}:v1`, true] as [string, boolean]));
  const ledger = [...keys.keys()].flatMap((key) =>
    Array.from({ length: charges }, (_, j) => ({
      id: `ch_${key}_${j}`,
      idempotency_key: key,
      status: 'succeeded',
      amount: 1,
    })),
  );
  return {
    parked,
    rest: { workerRssMiB },
    drainProcs: {},
    drainSeconds: 60,
    drainedCount: succeeded,
    drainedPerSec: succeeded / 60,
    ledger: checkLedger(ledger, keys),
  } as unknown as ParkedRound;
}

const line = (checks: ReturnType<typeof targets>, prefix: string) => checks.find((c) => c.target.startsWith(prefix));

describe('bench targets', () => {
  it('does not pass the charge check when no payment succeeded (every start failed)', () => {
    const check = line(targets(OPTIONS, [], undefined, [round(2000, 0)], true), 'exactly 1 ledger charge');
    expect(check).toEqual(
      expect.objectContaining({ met: undefined, measured: 'no payment succeeded: nothing to check' }),
    );
  });

  it('passes it on one charge each and fails it on a duplicate', () => {
    const ok = line(targets(OPTIONS, [], undefined, [round(100, 100)], true), 'exactly 1 ledger charge');
    expect(ok).toEqual(expect.objectContaining({ met: true, measured: '100 checked: 0 duplicates, 0 missing' }));
    const dup = line(targets(OPTIONS, [], undefined, [round(100, 100, 2)], true), 'exactly 1 ledger charge');
    expect(dup).toEqual(expect.objectContaining({ met: false, measured: '100 checked: 100 duplicates, 0 missing' }));
  });

  it('counts closed-loop rows with a ledger too', () => {
    const row = { scenario: 'happy-closed', load: '10 callers × 15s', ledger: round(1, 5).ledger } as ResultRow;
    expect(line(targets(OPTIONS, [row], undefined, [], true), 'exactly 1 ledger charge')?.met).toBe(true);
  });

  it('judges the 10,000-parked memory target only with a PostgreSQL audit trail', () => {
    const rest = '10,000 parked: worker RSS at rest';
    expect(line(targets(OPTIONS, [], undefined, [round(10_000, 10_000, 1, 590)], true), rest)?.met).toBe(true);
    expect(line(targets(OPTIONS, [], undefined, [round(10_000, 10_000, 1, 610)], true), rest)?.met).toBe(false);
    const pglite = line(targets(OPTIONS, [], undefined, [round(10_000, 10_000, 1, 590)], false), rest);
    expect(pglite?.met).toBeUndefined();
    expect(pglite?.measured).toContain('not the target');
  });
});
