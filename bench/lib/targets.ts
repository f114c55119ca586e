/** The run's targets (issues 12 and 19) checked against its rows: met, not met, or not measured (undefined). */
import type { ParkedRound } from '../scenarios/parked';
import type { ResultRow } from './context';
import type { BenchOptions } from './options';
import type { TargetCheck } from './report';

export function targets(
  o: Pick<BenchOptions, 'p99TargetMs'>,
  rows: ResultRow[],
  held: number | undefined,
  parked: ParkedRound[],
  /** Issue 19's memory target is for an audit trail in PostgreSQL: embedded PGlite lives in the worker's memory. */
  postgresAudit: boolean,
): TargetCheck[] {
  const out: TargetCheck[] = [];
  const open = rows.filter((r) => r.scenario === 'happy-open');
  if (open.length) {
    out.push({
      target: `happy path >= 100 payments/s sustained with p99 < ${o.p99TargetMs} ms`,
      met: (held ?? 0) >= 100,
      measured: `highest rate held: ${held ?? 'none'}/s; ${open
        .map((r) => `${r.load.split(' ')[0]} → ${r.throughputPerSec}/s p99 ${r.latency.p99Ms.toFixed(0)} ms`)
        .join('; ')}`,
    });
    const at25 = open.find((r) => r.load.startsWith('25/s'));
    out.push({
      target: 'p50 at 25/s < 50 ms',
      met: at25 ? at25.latency.p50Ms < 50 : undefined,
      measured: at25 ? `p50 ${at25.latency.p50Ms.toFixed(1)} ms` : '25/s not in --rates',
    });
  }
  const floorAt10 = rows.find((r) => r.scenario === 'happy-closed' && r.load.startsWith('10 callers'))?.floor;
  if (rows.some((r) => r.scenario === 'floor-closed')) {
    out.push({
      target: 'CPU per payment (worker + server, 10 callers) ≤ 1.2× the one-activity floor',
      met: floorAt10 ? floorAt10.ratio <= 1.2 : undefined,
      measured: floorAt10
        ? `${floorAt10.ratio}× (floor at ${floorAt10.floorLoad})`
        : 'no closed-loop row at 10 callers',
    });
  }
  const big = parked.find((p) => p.parked === 10_000);
  if (parked.length) {
    const postgres = postgresAudit;
    out.push({
      target: '10,000 parked: worker RSS at rest < 600 MiB (audit trail in PostgreSQL)',
      met: big && postgres ? big.rest.workerRssMiB < 600 : undefined,
      measured:
        parked.map((p) => `${p.parked}: at rest ${p.rest.workerRssMiB} MiB`).join('; ') +
        (postgres ? '' : " (embedded PGlite: not the target's setting)"),
    });
    const rss = (p: ParkedRound) => Math.max(p.rest.workerRssMiB, p.drainProcs.worker?.rssMaxMiB ?? 0);
    out.push({
      target: '10,000 parked: worker RSS < 1 GiB while draining',
      met: big ? rss(big) < 1024 : undefined,
      measured: parked.map((p) => `${p.parked}: max ${rss(p).toFixed(0)} MiB`).join('; '),
    });
    out.push({
      target: '10,000 parked: drained within 2 minutes of signalling',
      met: big ? big.drainSeconds <= 120 && !big.timedOut : undefined,
      measured: parked
        .map((p) => `${p.parked}: ${p.drainedCount} in ${p.drainSeconds} s (${p.drainedPerSec}/s)`)
        .join('; '),
    });
  }
  const ours = rows.filter((r) => !r.scenario.startsWith('baseline') && !r.scenario.startsWith('peer-') && r.ledger);
  if (ours.length || parked.length) {
    const dups =
      ours.reduce((s, r) => s + (r.ledger?.duplicates ?? 0), 0) + parked.reduce((s, p) => s + p.ledger.duplicates, 0);
    const missing =
      ours.reduce((s, r) => s + (r.ledger?.missing ?? 0), 0) + parked.reduce((s, p) => s + p.ledger.missing, 0);
    const checked =
      ours.reduce((s, r) => s + (r.ledger?.succeeded ?? 0), 0) + parked.reduce((s, p) => s + p.ledger.succeeded, 0);
    // With no payment succeeded there is nothing to check: that is not a pass (e.g. every start failed).
    out.push({
      target: 'exactly 1 ledger charge per succeeded payment',
      met: checked > 0 ? dups === 0 && missing === 0 : undefined,
      measured:
        checked > 0
          ? `${checked} checked: ${dups} duplicates, ${missing} missing`
          : 'no payment succeeded: nothing to check',
    });
  }
  return out;
}
