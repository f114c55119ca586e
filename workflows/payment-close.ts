/**
 * How a version 4 run closes, so that the Temporal UI's own status column tells the payment's end: Completed for
 * a payment that succeeded (or was answered from an earlier one that did), Failed for one that ended without a
 * charge (declined: failure type `PaymentFailed`; cancelled by the customer: `PaymentCancelled`), Canceled for one
 * an operator cancelled through Temporal. A Failed close carries the payment's result as its details, so a caller
 * reading the closed run still gets the one answer (client/closed-run.ts).
 */
import { ApplicationFailure, CancelledFailure } from '@temporalio/workflow';
import { WorkflowCloseType } from '../shared/errors';
import type { PaymentResult } from '../shared/payment-types';

/**
 * Runs started on this code close as their outcome. Asked in the constructor of a version 4 run, so the marker is
 * in the first workflow task (as every marker of this workflow is, see issue 12); runs started earlier completed.
 */
export const CLOSE_AS_OUTCOME_PATCH = 'close-as-outcome';

/** The run's return, or the failure it closes with when the payment did not succeed. */
export function closeAsOutcome(result: PaymentResult, cancelledThroughTemporal: boolean): PaymentResult {
  if (result.status === 'failed') {
    throw ApplicationFailure.create({
      type: WorkflowCloseType.PaymentFailed,
      message: `payment ${result.paymentId} failed`,
      nonRetryable: true,
      details: [result],
    });
  }
  if (result.status !== 'cancelled') return result;
  // Only a run whose cancellation Temporal requested can close Canceled (the SDK fails it with anything else), and
  // that close carries no details: a client reads such a run's answer with the state query.
  if (cancelledThroughTemporal) throw new CancelledFailure(`payment ${result.paymentId} cancelled`);
  throw ApplicationFailure.create({
    type: WorkflowCloseType.PaymentCancelled,
    message: `payment ${result.paymentId} cancelled`,
    nonRetryable: true,
    details: [result],
  });
}
