/**
 * One sweep for runs closed by Terminate or a timeout (no workflow code ran to record them). A Temporal Schedule
 * starts it every sweep interval, so exactly one sweep runs at a time across all workers, visible in the UI.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { PaymentActivities } from '../activities';
import type { SweepReport } from '../activities/termination-sweep';

export async function terminationSweepWorkflow(input: { lookbackMs: number }): Promise<SweepReport> {
  const { sweepTerminatedPayments } = proxyActivities<PaymentActivities>({
    startToCloseTimeout: '5m',
    retry: { initialInterval: '1s', maximumInterval: '30s', maximumAttempts: 5 },
  });
  return sweepTerminatedPayments(input);
}
