/**
 * Scenario `floor`: the one-activity workflow of bench/floor on the same server, gateway and data converter, in
 * a closed loop at each `--concurrency` level, so that every row of ours can be read as a multiple of what
 * Temporal itself costs here (issue 19's target: ≤ 1.2× at 10 callers). Its own worker process is measured
 * as `worker` in its rows; the payments worker sits idle meanwhile.
 */
import type { ProcWindowStats } from '../lib/proc';
import { row, type BenchContext, type ResultRow } from '../lib/context';
import { closedLoop, forEachLimited, type Task } from '../lib/loops';
import { floorWorkflow } from '../floor/workflow';

const WARM_UP_RUNS = 50;

export async function floorScenario(ctx: BenchContext): Promise<ResultRow[]> {
  const taskQueue = `bench-floor-${ctx.runId}`;
  const floor = await ctx.stack.startFloorWorker(taskQueue);
  ctx.sampler.track('floorWorker', floor.pid);
  try {
    const task = (label: string): Task => {
      return async (index) => {
        const workflowId = `floor-${ctx.runId}-${label}-${index}`;
        const status = await ctx.client.workflow.execute(floorWorkflow, { taskQueue, workflowId });
        return { ok: status === 200, label: status === 200 ? 'completed' : `gateway answered ${status}` };
      };
    };
    const warm = task('warmup');
    const { failures, firstError } = await forEachLimited(WARM_UP_RUNS, 10, async (i) => {
      if (!(await warm(i, performance.now())).ok) throw new Error('floor warm-up run failed');
    });
    if (failures) throw new Error(`floor warm-up failed: ${firstError}`);
    const rows: ResultRow[] = [];
    for (const concurrency of ctx.o.concurrency) {
      const load = `${concurrency} callers × ${ctx.o.closedSeconds}s`;
      ctx.log(`floor closed loop: ${load}`);
      const window = ctx.sampler.window();
      const result = await closedLoop({
        concurrency,
        durationMs: ctx.o.closedSeconds * 1000,
        drainTimeoutMs: ctx.o.drainTimeoutSeconds * 1000,
        task: task(`c${concurrency}`),
      });
      const r = row('floor-closed', load, result, asWorker(window.end()));
      ctx.log(`  → ${r.completed} runs, ${r.throughputPerSec}/s, p50 ${r.latency.p50Ms.toFixed(1)} ms`);
      rows.push(r);
    }
    return rows;
  } finally {
    ctx.sampler.untrack('floorWorker');
    await floor.stop();
  }
}

/** The floor's rows report its worker where ours report the payments worker. */
function asWorker(procs: Record<string, ProcWindowStats>): Record<string, ProcWindowStats> {
  const { floorWorker, worker: _idlePaymentsWorker, ...rest } = procs;
  return floorWorker ? { ...rest, worker: floorWorker } : rest;
}

/**
 * (worker + server) CPU per payment over the floor's at the same load, or at 10 callers (the target's level) for
 * rows of other loads. Undefined where there is no floor row.
 */
export function floorRatio(r: ResultRow, floors: ResultRow[]): { ratio: number; floorLoad: string } | undefined {
  const floor = floors.find((f) => f.load === r.load) ?? floors.find((f) => f.load.startsWith('10 callers'));
  const cost = (x: ResultRow) => (x.cpuMsPerPayment.worker ?? 0) + (x.cpuMsPerPayment.server ?? 0);
  if (!floor || cost(floor) === 0 || cost(r) === 0) return undefined;
  return { ratio: Math.round((cost(r) / cost(floor)) * 100) / 100, floorLoad: floor.load };
}
