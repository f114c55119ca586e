/**
 * One sweep for runs closed by Terminate or a timeout (no workflow code ran to record them). A Temporal Schedule
 * starts it every sweep interval, so exactly one sweep runs at a time across all workers, visible in the UI.
 */
import { patched, proxyActivities } from '@temporalio/workflow';
import type { PaymentActivities } from '../activities';
import type { SweepReport } from '../activities/termination-sweep';

/** Sweeps that began before disputes were swept replay as they ran: one activity, payments only. */
const SWEEP_DISPUTES_PATCH = 'termination-sweep-disputes';

/** Sweeps that began before refunds runs were swept replay as they ran: payments and disputes only. */
const SWEEP_REFUNDS_PATCH = 'termination-sweep-refunds';

export async function terminationSweepWorkflow(input: { lookbackMs: number }): Promise<SweepReport> {
  const { sweepTerminatedPayments, sweepTerminatedDisputes, sweepTerminatedRefunds } =
    proxyActivities<PaymentActivities>({
      startToCloseTimeout: '5m',
      retry: { initialInterval: '1s', maximumInterval: '30s', maximumAttempts: 5 },
    });
  const payments = await sweepTerminatedPayments(input);
  if (!patched(SWEEP_DISPUTES_PATCH)) return payments;
  // Its own activity: a dispute the gateway cannot answer for fails neither the payments' sweep nor its retries.
  const disputes = await sweepTerminatedDisputes(input);
  if (!patched(SWEEP_REFUNDS_PATCH)) return { ...payments, disputes };
  // After the payments: a charged payment's settlement run is started first, its refunds runs' sweep next.
  return { ...payments, disputes, refunds: await sweepTerminatedRefunds(input) };
}
