/**
 * Scenario 5, baseline: the same charges at the same load, made by seed 000's naive retry loop straight against
 * the sandbox gateway from this one process (bench/lib/baseline.ts). Each of our rows gets ratios to its twin:
 * ours / baseline for p50, p99 and throughput.
 */
import { CARD_OK, loadAvg, row, type BenchContext, type ResultRow } from '../lib/context';
import { NaiveGatewayCaller } from '../lib/baseline';
import { checkLedger } from '../lib/ledger';
import { closedLoop, openLoop, type LoopResult, type Task } from '../lib/loops';
import { ratio } from '../lib/stats';
import { faultHits, installFaults } from './faults';

export interface Comparison {
  ours: string;
  baseline: string;
  p50Ratio?: number;
  p99Ratio?: number;
  throughputRatio?: number;
}

export interface Twin {
  /** Our row to compare with. */
  ours: ResultRow;
  kind: 'open' | 'closed' | 'faults';
  rate?: number;
  concurrency?: number;
}

export async function baselineScenario(
  ctx: BenchContext,
  twins: Twin[],
): Promise<{ rows: ResultRow[]; comparisons: Comparison[] }> {
  const naive = new NaiveGatewayCaller(ctx.stack.gatewayUrl);
  const rows: ResultRow[] = [];
  const comparisons: Comparison[] = [];
  try {
    for (const [n, twin] of twins.entries()) {
      const keys = new Map<string, boolean>();
      const task: Task = async (i) => {
        const key = `bench-${ctx.runId}-baseline${n}-${i}`;
        keys.set(key, false);
        const r = await naive.charge({
          idempotencyKey: key,
          amount: 1999,
          currency: 'usd',
          cardNumber: CARD_OK,
          metadata: { payment_id: key },
        });
        keys.set(key, r.ok);
        return r;
      };
      const drainTimeoutMs = Math.max(ctx.o.drainTimeoutSeconds * 1000, 30_000);
      let load: string;
      let result: LoopResult;
      let note: string | undefined;
      const window = ctx.sampler.window();
      if (twin.kind === 'closed') {
        const seconds = Math.min(ctx.o.closedSeconds, 5);
        load = `${twin.concurrency} callers × ${seconds}s`;
        ctx.log(`baseline closed loop: ${load}`);
        result = await closedLoop({
          concurrency: twin.concurrency ?? 1,
          durationMs: seconds * 1000,
          drainTimeoutMs,
          task,
        });
      } else {
        const faults = twin.kind === 'faults';
        const seconds = faults ? ctx.o.faultSeconds : Math.min(ctx.o.stepSeconds, 10);
        load = `${twin.rate}/s × ${seconds}s${faults ? ' with the same faults' : ''}`;
        ctx.log(`baseline open loop: ${load}`);
        if (faults) await installFaults(ctx.admin, ctx.o.fault503, ctx.o.faultDrop);
        try {
          result = await openLoop({
            ratePerSec: twin.rate ?? 25,
            durationMs: seconds * 1000,
            maxInFlight: ctx.o.maxInFlight,
            drainTimeoutMs,
            task,
          });
        } finally {
          if (faults) {
            const hits = await faultHits(ctx.admin);
            note = `faults fired: ${Object.entries(hits)
              .map(([k, v]) => `${k} ${v}`)
              .join(', ')}`;
            await ctx.admin.clearFaults();
          }
        }
      }
      const procs = window.end();
      const ledger = checkLedger(await ctx.admin.ledger(), keys);
      if (ledger.chargedWithoutSuccess > 0) {
        note = `${note ? `${note}; ` : ''}${ledger.chargedWithoutSuccess} charged but the caller got an exception or "failed"`;
      }
      const r = row(`baseline-${twin.kind}`, load, result, procs, { ledger, note, loadAvg: loadAvg() });
      rows.push(r);
      const c: Comparison = {
        ours: `${twin.ours.scenario} ${twin.ours.load}`,
        baseline: `${r.scenario} ${r.load}`,
        p50Ratio: ratio(twin.ours.latency.p50Ms, r.latency.p50Ms),
        p99Ratio: ratio(twin.ours.latency.p99Ms, r.latency.p99Ms),
        throughputRatio: ratio(twin.ours.throughputPerSec, r.throughputPerSec),
      };
      comparisons.push(c);
      ctx.log(
        `  → baseline p50 ${r.latency.p50Ms} ms p99 ${r.latency.p99Ms} ms ${r.throughputPerSec}/s, ` +
          `${r.errors} without an answer; ours/baseline p50 ×${c.p50Ratio} p99 ×${c.p99Ratio} throughput ×${c.throughputRatio}`,
      );
    }
  } finally {
    await naive.close();
  }
  return { rows, comparisons };
}
