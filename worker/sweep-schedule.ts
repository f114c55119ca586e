/**
 * The Temporal Schedule that drives the termination sweeper. A Schedule, not a loop in each worker: one sweep at
 * a time however many workers run (overlap SKIP), paused or triggered from the UI, and it outlives restarts.
 * One schedule per task queue: deployments sharing a namespace each sweep their own payments, with their own
 * audit trail and gateway, and never move each other's schedule.
 */
import { type Client, ScheduleAlreadyRunning, ScheduleNotFoundError, ScheduleOverlapPolicy } from '@temporalio/client';

/** The id the first sweeper used for every task queue; removed at start-up when it drives this queue. */
const LEGACY_SWEEP_SCHEDULE_ID = 'payment-termination-sweep';

export function sweepScheduleId(taskQueue: string): string {
  return `payment-termination-sweep-${taskQueue}`;
}

export interface SweepScheduleOptions {
  taskQueue: string;
  intervalMs: number;
  lookbackMs: number;
}

/** Creates the schedule, or brings an existing one to these options (a config change takes effect on restart). */
export async function ensureSweepSchedule(client: Client, options: SweepScheduleOptions): Promise<void> {
  const scheduleId = sweepScheduleId(options.taskQueue);
  const action = {
    type: 'startWorkflow' as const,
    workflowType: 'terminationSweepWorkflow',
    workflowId: scheduleId,
    taskQueue: options.taskQueue,
    args: [{ lookbackMs: options.lookbackMs }],
  };
  const spec = { intervals: [{ every: options.intervalMs }] };
  try {
    await client.schedule.create({
      scheduleId,
      spec,
      action,
      policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: options.intervalMs * 2 },
    });
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    await client.schedule.getHandle(scheduleId).update((previous) => ({ ...previous, spec, action }));
  }
  await removeLegacySchedule(client, options.taskQueue);
}

/** The one namespace-wide schedule of before: whichever worker started last pointed it at its own queue. */
async function removeLegacySchedule(client: Client, taskQueue: string): Promise<void> {
  const legacy = client.schedule.getHandle(LEGACY_SWEEP_SCHEDULE_ID);
  try {
    const described = await legacy.describe();
    if (described.action.type === 'startWorkflow' && described.action.taskQueue === taskQueue) await legacy.delete();
  } catch (err) {
    if (!(err instanceof ScheduleNotFoundError)) throw err;
  }
}
