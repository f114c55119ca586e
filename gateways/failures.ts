/**
 * Failures every adapter raises the same way. A decline is classified here, once, by the table of the release
 * that saw it; the workflow acts on these fields as history holds them and never classifies again, so editing
 * the table later cannot change an open run.
 */
import { ApplicationFailure, ApplicationFailureCategory } from '@temporalio/common';
import { classifyDecline, type DeclineInfo, type Initiator } from '../shared/declines';
import { ErrorType, NON_RETRYABLE_ERROR_TYPES } from '../shared/errors';

export interface DeclineDetails extends DeclineInfo {
  /** Same as `code`; the name release 0.1 wrote, which its histories still carry (with `declineClass` only). */
  declineCode: string;
  chargeId?: string;
}

const DECLINE_TYPES: Record<DeclineInfo['declineClass'], ErrorType> = {
  processing: ErrorType.CardDeclinedRetryable,
  soft: ErrorType.CardDeclinedRetryable,
  hard: ErrorType.CardDeclinedHard,
  fraud: ErrorType.CardDeclinedFraud,
  authentication: ErrorType.CardAuthenticationRequired,
};

/** A decline. Non-retryable for Temporal; the workflow decides what happens next from the class. */
export function declineFailure(
  declineCode: string | undefined,
  chargeId?: string,
  initiator?: Initiator,
): ApplicationFailure {
  const info = classifyDecline(declineCode, initiator);
  const details: DeclineDetails = { ...info, declineCode: info.code, chargeId };
  return ApplicationFailure.create({
    type: DECLINE_TYPES[info.declineClass],
    message: `card declined: ${info.code} (${info.declineClass})`,
    nonRetryable: true,
    details: [details],
    category: ApplicationFailureCategory.BENIGN, // an expected business outcome, not an incident
  });
}

/** The decline an adapter raised, if `err` is one. */
export function declineDetailsOf(err: unknown): DeclineDetails | undefined {
  if (!(err instanceof ApplicationFailure)) return undefined;
  const details = err.details?.[0] as Partial<DeclineDetails> | undefined;
  return details?.declineClass ? (details as DeclineDetails) : undefined;
}

/** A failure of one of our types, for the few answers an adapter maps by hand. */
export function gatewayFailure(type: ErrorType, message: string, nextRetryDelayMs?: number): ApplicationFailure {
  return ApplicationFailure.create({
    type,
    message,
    nonRetryable: NON_RETRYABLE_ERROR_TYPES.includes(type),
    nextRetryDelay: nextRetryDelayMs,
    category: type === ErrorType.GatewayRateLimited ? ApplicationFailureCategory.BENIGN : undefined,
  });
}
