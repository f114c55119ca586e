/** Reads a failed gateway activity as one of the outcomes the payment workflow acts on. */
import { ActivityFailure, ApplicationFailure, TimeoutFailure } from '@temporalio/workflow';
import type { DeclineDetails } from '../gateways/failures';
import { classifyDecline, type DeclineInfo } from '../shared/declines';
import { ErrorType } from '../shared/errors';

export type FailedCharge =
  | { kind: 'declined'; decline: DeclineInfo; chargeId?: string; errorCode: string }
  | { kind: 'unknown'; errorCode: string } // retries exhausted without knowing whether the gateway charged
  | { kind: 'rejected'; errorCode: string } // 400/401: the request itself is wrong, retrying cannot help
  | { kind: 'not_sent'; errorCode: string }; // never reached the gateway (breaker, budget, refused connection)

const DECLINES = new Set<string>([
  ErrorType.CardDeclinedRetryable,
  ErrorType.CardDeclinedHard,
  ErrorType.CardDeclinedFraud,
  ErrorType.CardAuthenticationRequired,
]);
const REJECTED = new Set<string>([
  ErrorType.GatewayInvalidRequest,
  ErrorType.GatewayAuthentication,
  ErrorType.GatewayIdempotencyMismatch,
  ErrorType.InvalidInput,
]);

/** Refused in the worker before anything was sent (activities/charge-attempts.ts). */
const REFUSED = new Set<string>([ErrorType.GatewayCircuitOpen, ErrorType.RetryBudgetExhausted]);

/**
 * The decline as the activity classified it and history holds it. Release 0.1's details carry the class but
 * no message: the class (which decides the branch) is still the recorded one; only the wording is today's.
 */
export function recordedDecline(details: Partial<DeclineDetails>): DeclineInfo {
  const { code, declineClass, internalReason, customerMessage, needsDifferentCard, known } = details;
  if (code !== undefined && declineClass && internalReason && customerMessage && needsDifferentCard !== undefined) {
    return { code, declineClass, internalReason, customerMessage, needsDifferentCard, known: known ?? true };
  }
  const today = classifyDecline(details.declineCode);
  return declineClass ? { ...today, declineClass } : today;
}

/** Returns undefined for errors that are not gateway activity failures (the caller rethrows those). */
export function readFailedCharge(err: unknown): FailedCharge | undefined {
  if (!(err instanceof ActivityFailure)) return undefined;
  const cause = err.cause;
  if (cause instanceof TimeoutFailure) return { kind: 'unknown', errorCode: `timeout_${cause.timeoutType}` };
  if (!(cause instanceof ApplicationFailure)) return { kind: 'unknown', errorCode: cause?.name ?? 'unknown' };
  const type = cause.type ?? 'Error';
  if (DECLINES.has(type)) {
    const details = (cause.details?.[0] ?? {}) as Partial<DeclineDetails>;
    const decline = recordedDecline(details);
    return { kind: 'declined', decline, chargeId: details.chargeId, errorCode: decline.code };
  }
  if (REJECTED.has(type)) return { kind: 'rejected', errorCode: type };
  const chargeSent = (cause.details?.[0] as { chargeSent?: boolean } | undefined)?.chargeSent;
  if (REFUSED.has(type) && chargeSent === false) return { kind: 'not_sent', errorCode: type };
  // A refused connection on a key nothing else went out under (only runs that fail over are told this).
  if (type === ErrorType.GatewayNetwork && cause.nonRetryable && chargeSent === false) {
    return { kind: 'not_sent', errorCode: type };
  }
  // Timeouts, 5xx, dropped connections, 429 and 409 after the last retry: the charge may exist.
  return { kind: 'unknown', errorCode: type };
}
