/**
 * The answer of a payment run that has closed. A run that succeeded returns its result; one that did not closes
 * Failed with the result as the failure's details, or Canceled with none (workflows/payment-close.ts), whose
 * answer is read with the state query. So a caller gets the payment's one answer rather than a Temporal error;
 * any other failure is the run's own and is thrown.
 */
import { ApplicationFailure, CancelledFailure, WorkflowFailedError } from '@temporalio/client';
import { WorkflowCloseType } from '../shared/errors';
import { paymentResultOf } from '../shared/payment-result';
import type { PaymentResult } from '../shared/payment-types';
import { getPaymentStateQuery } from '../workflows/payment-messages';
import { serially } from './serial-queries';
import type { WorkflowHandle } from './workflow-handle';

const CLOSE_TYPES: readonly string[] = Object.values(WorkflowCloseType);

export async function closedRunResult(handle: WorkflowHandle): Promise<PaymentResult> {
  try {
    return (await handle.result()) as PaymentResult;
  } catch (err) {
    if (!(err instanceof WorkflowFailedError)) throw err;
    const { cause } = err;
    if (cause instanceof CancelledFailure) {
      return paymentResultOf(await serially(handle.workflowId, () => handle.query(getPaymentStateQuery)));
    }
    const result = cause instanceof ApplicationFailure && CLOSE_TYPES.includes(cause.type ?? '') && cause.details?.[0];
    if (typeof (result as PaymentResult | undefined)?.paymentId === 'string') return result as PaymentResult;
    throw err;
  }
}
