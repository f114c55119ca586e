/** How workflow code refuses a request or an input: one failure type, shared by every workflow and validator. */
import { ApplicationFailure } from '@temporalio/workflow';
import { ErrorType } from '../shared/errors';

/** A Temporal failure, not a plain Error: a plain Error in workflow code would retry the task forever. */
export function reject(message: string): never {
  throw ApplicationFailure.create({ type: ErrorType.InvalidInput, message, nonRetryable: true });
}
