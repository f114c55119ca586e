/**
 * The Temporal Schedule that drives the termination sweeper. A Schedule, not a loop in each worker: one sweep at
 * a time however many workers run (overlap SKIP), paused or triggered from the UI, and it outlives restarts.
 */
import { type Client, ScheduleAlreadyRunning, ScheduleOverlapPolicy } from '@temporalio/client';

export const SWEEP_SCHEDULE_ID = 'payment-termination-sweep';

export interface SweepScheduleOptions {
  taskQueue: string;
  intervalMs: number;
  lookbackMs: number;
}

/** Creates the schedule, or brings an existing one to these options (a config change takes effect on restart). */
export async function ensureSweepSchedule(client: Client, options: SweepScheduleOptions): Promise<void> {
  const action = {
    type: 'startWorkflow' as const,
    workflowType: 'terminationSweepWorkflow',
    workflowId: SWEEP_SCHEDULE_ID,
    taskQueue: options.taskQueue,
    args: [{ lookbackMs: options.lookbackMs }],
  };
  const spec = { intervals: [{ every: options.intervalMs }] };
  try {
    await client.schedule.create({
      scheduleId: SWEEP_SCHEDULE_ID,
      spec,
      action,
      policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: options.intervalMs * 2 },
    });
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    await client.schedule.getHandle(SWEEP_SCHEDULE_ID).update((previous) => ({ ...previous, spec, action }));
  }
}
