/** Worker options shared by the real worker and the tests, so tests run the production wiring. */
import type { WorkerOptions } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../activities';
import type { Config } from '../config';
import { WORKFLOW_BUNDLER_OPTIONS, WORKFLOWS_PATH } from './workflow-bundle';

/** The slot, cache and poller knobs; a key left undefined keeps the SDK's own default. */
export type WorkerTuning = Pick<
  WorkerOptions,
  | 'maxCachedWorkflows'
  | 'maxConcurrentWorkflowTaskExecutions'
  | 'maxConcurrentActivityTaskExecutions'
  | 'maxConcurrentLocalActivityExecutions'
  | 'maxConcurrentWorkflowTaskPolls'
  | 'maxConcurrentActivityTaskPolls'
  | 'maxEagerActivityReservationsPerWorkflowTask'
>;

export type PaymentWorkerOptions = Pick<WorkerOptions, 'activities' | 'workflowsPath' | 'bundlerOptions'> &
  WorkerTuning & {
    shutdownGraceTime: WorkerOptions['shutdownGraceTime'];
    shutdownForceTime: WorkerOptions['shutdownForceTime'];
  };

export function paymentWorkerOptions(deps: ActivityDeps, tuning: WorkerTuning = {}): PaymentWorkerOptions {
  return {
    workflowsPath: WORKFLOWS_PATH,
    bundlerOptions: WORKFLOW_BUNDLER_OPTIONS,
    activities: createActivities(deps),
    // Let in-flight gateway calls finish on Ctrl-C rather than cancelling them mid-charge.
    shutdownGraceTime: '20s',
    // A worker that has not drained 10 s after its grace (a task that ignores cancellation) stops anyway, as a
    // supervisor would kill it: whatever it held is retried elsewhere (charges by their idempotency keys).
    shutdownForceTime: '30s',
    ...tuning,
  };
}

/**
 * The worker's sticky cache when WORKER_MAX_CACHED_WORKFLOWS is unset. The SDK derives its default from the heap
 * limit (≈ 2,300 on a 4 GiB heap); at ≈ 0.3–0.6 MiB per cached run, that took the worker past 1.5 GiB with 10,000
 * payments open. Runs that stay open are those waiting (3DS, a new card) and older releases' runs, so with
 * thousands waiting almost every one is evicted before its signal at any size that fits in memory, and the hit rate
 * hardly moves between 300 and 500; 300 keeps a worker with 10,000 parked under 600 MiB at rest (issue 19;
 * BENCHMARKS.md, "Parked payments"). In-flight payments need far fewer: one per concurrent payment.
 */
export const DEFAULT_MAX_CACHED_WORKFLOWS = 300;

/**
 * The `WORKER_*` tuning keys of the config as worker options. Only keys that are set appear, except the cache
 * size, which defaults to DEFAULT_MAX_CACHED_WORKFLOWS; everything else keeps the SDK's default.
 */
export function workerTuningFromConfig(cfg: Partial<Config>): WorkerTuning {
  const tuning: WorkerTuning = {
    maxCachedWorkflows: cfg.WORKER_MAX_CACHED_WORKFLOWS ?? DEFAULT_MAX_CACHED_WORKFLOWS,
    maxConcurrentWorkflowTaskExecutions: cfg.WORKER_MAX_CONCURRENT_WORKFLOW_TASKS,
    maxConcurrentActivityTaskExecutions: cfg.WORKER_MAX_CONCURRENT_ACTIVITIES,
    maxConcurrentLocalActivityExecutions: cfg.WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES,
    maxConcurrentWorkflowTaskPolls: cfg.WORKER_MAX_CONCURRENT_WORKFLOW_TASK_POLLS,
    maxConcurrentActivityTaskPolls: cfg.WORKER_MAX_CONCURRENT_ACTIVITY_TASK_POLLS,
    maxEagerActivityReservationsPerWorkflowTask: cfg.WORKER_MAX_EAGER_ACTIVITY_RESERVATIONS,
  };
  return Object.fromEntries(Object.entries(tuning).filter(([, v]) => v !== undefined)) as WorkerTuning;
}
