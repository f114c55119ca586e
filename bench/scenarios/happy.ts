/**
 * Scenario 1, happy path, open loop: 4242 payments arrive at a fixed rate, stepped up until a step breaks
 * (p99 >= target, an error, or throughput below 90% of the offered rate); reports the highest rate held.
 * Scenario 2, closed loop: N callers each start a payment and wait for its answer, then start the next.
 */
import {
  CARD_OK,
  metricsDelta,
  paymentTask,
  row,
  snapshotMetrics,
  type BenchContext,
  type MetricsDelta,
  type ResultRow,
} from '../lib/context';
import { historyBreakdown, type Breakdown, type ClientTiming } from '../lib/history';
import { checkLedger } from '../lib/ledger';
import { closedLoop, forEachLimited, openLoop, type LoopResult } from '../lib/loops';
import { highestHeldRate, nextRate, stepVerdict, type HoldRule, type StepOutcome } from '../lib/stats';

export interface StepDetail {
  load: string;
  breakdown?: Breakdown;
  metrics: MetricsDelta;
}

export interface HappyResult {
  rows: ResultRow[];
  highestHeldRate?: number;
  details: StepDetail[];
}

export async function warmUp(ctx: BenchContext): Promise<void> {
  if (ctx.o.warmup <= 0) return;
  const keys = new Map<string, boolean>();
  const task = paymentTask(ctx, { scenario: 'warmup', card: CARD_OK, client: ctx.payments, keys });
  const t = performance.now();
  const { failures, firstError } = await forEachLimited(ctx.o.warmup, 10, async (i) => {
    const r = await task(i, performance.now());
    if (!r.ok) throw new Error(`warm-up payment ended ${r.label}`);
  });
  ctx.log(`warm-up: ${ctx.o.warmup} payments in ${Math.round(performance.now() - t)} ms, ${failures} failed`);
  if (failures) throw new Error(`warm-up failed: ${firstError}`);
}

/** Runs one measured load level: open or closed loop, with process, ledger, metrics and history breakdown. */
async function measure(
  ctx: BenchContext,
  scenario: string,
  load: string,
  drive: (task: ReturnType<typeof paymentTask>) => Promise<LoopResult>,
  expected: number,
): Promise<{ row: ResultRow; detail: StepDetail; result: LoopResult }> {
  const keys = new Map<string, boolean>();
  const timings: ClientTiming[] = [];
  const every = Math.max(1, Math.floor(expected / Math.max(1, ctx.o.breakdownSample)));
  const task = paymentTask(ctx, {
    scenario: `${scenario}-${load.replace(/\W+/g, '')}`,
    card: CARD_OK,
    client: ctx.payments,
    keys,
    timings: ctx.o.breakdownSample > 0 ? { every, into: timings } : undefined,
  });
  const before = await snapshotMetrics(ctx);
  const window = ctx.sampler.window();
  const result = await drive(task);
  const procs = window.end();
  const after = await snapshotMetrics(ctx);
  const ledger = checkLedger(await ctx.admin.ledger(), keys);
  const breakdown = await historyBreakdown(ctx.client, timings.slice(0, ctx.o.breakdownSample));
  const metrics = metricsDelta(before, after, result.completed);
  return { row: row(scenario, load, result, procs, { ledger }), detail: { load, breakdown, metrics }, result };
}

export async function happyOpenLoop(ctx: BenchContext): Promise<HappyResult> {
  const rule: HoldRule = { p99TargetMs: ctx.o.p99TargetMs, minThroughputShare: 0.9 };
  const steps: StepOutcome[] = [];
  const rows: ResultRow[] = [];
  const details: StepDetail[] = [];
  for (let rate = nextRate(ctx.o.rates, steps, rule); rate !== undefined; rate = nextRate(ctx.o.rates, steps, rule)) {
    const load = `${rate}/s × ${ctx.o.stepSeconds}s`;
    ctx.log(`happy open loop: ${load}`);
    const m = await measure(
      ctx,
      'happy-open',
      load,
      (task) =>
        openLoop({
          ratePerSec: rate,
          durationMs: ctx.o.stepSeconds * 1000,
          maxInFlight: ctx.o.maxInFlight,
          drainTimeoutMs: ctx.o.drainTimeoutSeconds * 1000,
          task,
        }),
      rate * ctx.o.stepSeconds,
    );
    const step: StepOutcome = { ...m.row, rate };
    steps.push(step);
    const verdict = stepVerdict(step, rule);
    rows.push({ ...m.row, held: verdict.held, reason: verdict.reason });
    details.push(m.detail);
    ctx.log(`  → ${verdict.held ? 'held' : `broke: ${verdict.reason}`}; ${describe(m.row)}`);
    if (!verdict.held && m.result.shed > 0) await settle(ctx);
  }
  return { rows, highestHeldRate: highestHeldRate(steps, rule), details };
}

export async function happyClosedLoop(ctx: BenchContext): Promise<{ rows: ResultRow[]; details: StepDetail[] }> {
  const rows: ResultRow[] = [];
  const details: StepDetail[] = [];
  for (const concurrency of ctx.o.concurrency) {
    const load = `${concurrency} callers × ${ctx.o.closedSeconds}s`;
    ctx.log(`happy closed loop: ${load}`);
    const m = await measure(
      ctx,
      'happy-closed',
      load,
      (task) =>
        closedLoop({
          concurrency,
          durationMs: ctx.o.closedSeconds * 1000,
          drainTimeoutMs: ctx.o.drainTimeoutSeconds * 1000,
          task,
        }),
      // a guess at how many payments the level will make, only to spread the history sample over the run
      Math.max(ctx.o.breakdownSample, concurrency * ctx.o.closedSeconds * 5),
    );
    rows.push(m.row);
    details.push(m.detail);
    ctx.log(`  → ${describe(m.row)}`);
  }
  return { rows, details };
}

/** After an overloaded step, wait until the worker has caught up so the next scenario starts clean. */
async function settle(ctx: BenchContext): Promise<void> {
  const deadline = Date.now() + 120_000;
  // Not ExecutionStatus: a succeeded payment may stay open (for refunds); its status says it is done.
  const query = `WorkflowType = 'paymentWorkflow' AND PaymentStatus IN ('initiated', 'processing')`;
  while (Date.now() < deadline) {
    const { count } = await ctx.client.workflow.count(query);
    if (count === 0) return;
    await new Promise((r) => setTimeout(r, 1000));
  }
}

export function describe(r: ResultRow): string {
  const l = r.latency;
  return (
    `${r.completed}/${r.offered} ok, ${r.errors} err, ${r.throughputPerSec}/s, ` +
    `p50 ${l.p50Ms.toFixed(1)} p90 ${l.p90Ms.toFixed(1)} p99 ${l.p99Ms.toFixed(1)} max ${l.maxMs.toFixed(1)} ms, ` +
    `worker ${r.procs.worker?.cpuPct ?? '-'}% ${r.procs.worker?.rssMaxMiB ?? '-'} MiB, ` +
    `server ${r.procs.server?.cpuPct ?? '-'}% ${r.procs.server?.rssMaxMiB ?? '-'} MiB, load ${r.loadAvg[0]}`
  );
}
