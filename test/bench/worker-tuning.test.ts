/** The WORKER_* tuning keys reach the worker as options; unset keys keep the SDK's defaults (cache: ours). */
import { WORKFLOWS_PATH } from '../../worker/workflow-bundle';
import { DEFAULT_MAX_CACHED_WORKFLOWS, paymentWorkerOptions, workerTuningFromConfig } from '../../worker/options';
import { parseConfig } from '../../config';
import type { ActivityDeps } from '../../activities';

describe('worker tuning from config', () => {
  it('caps the sticky cache and leaves every other knob to the SDK when nothing is set', () => {
    expect(workerTuningFromConfig(parseConfig({}))).toEqual({ maxCachedWorkflows: DEFAULT_MAX_CACHED_WORKFLOWS });
  });

  it('maps every WORKER_* key to its worker option', () => {
    const cfg = parseConfig({
      WORKER_MAX_CACHED_WORKFLOWS: '0',
      WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: '8',
      WORKER_MAX_CONCURRENT_ACTIVITIES: '32',
      WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES: '16',
      WORKER_MAX_CONCURRENT_WORKFLOW_TASK_POLLS: '4',
      WORKER_MAX_CONCURRENT_ACTIVITY_TASK_POLLS: '2',
      WORKER_MAX_EAGER_ACTIVITY_RESERVATIONS: '0',
    });
    expect(workerTuningFromConfig(cfg)).toEqual({
      maxCachedWorkflows: 0,
      maxConcurrentWorkflowTaskExecutions: 8,
      maxConcurrentActivityTaskExecutions: 32,
      maxConcurrentLocalActivityExecutions: 16,
      maxConcurrentWorkflowTaskPolls: 4,
      maxConcurrentActivityTaskPolls: 2,
      maxEagerActivityReservationsPerWorkflowTask: 0,
    });
  });

  it('rejects values the SDK would refuse', () => {
    expect(() => parseConfig({ WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: '1' })).toThrow(
      /WORKER_MAX_CONCURRENT_WORKFLOW_TASKS/,
    );
    expect(() => parseConfig({ WORKER_MAX_CACHED_WORKFLOWS: '-1' })).toThrow(/WORKER_MAX_CACHED_WORKFLOWS/);
  });

  it('adds the tuning to the shared worker options only when given', () => {
    const deps = {} as ActivityDeps;
    expect(paymentWorkerOptions(deps)).not.toHaveProperty('maxCachedWorkflows');
    expect(paymentWorkerOptions(deps, { maxCachedWorkflows: 7 }).maxCachedWorkflows).toBe(7);
  });

  it('bundles the workflow code with its modules preloaded, shared by all runs (WORKFLOW_BUNDLER_OPTIONS)', () => {
    const options = paymentWorkerOptions({} as ActivityDeps);
    expect(options.workflowsPath).toBe(WORKFLOWS_PATH);
    expect(options.bundlerOptions).toEqual({ preloadModules: [WORKFLOWS_PATH] });
  });
});
