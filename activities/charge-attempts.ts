/**
 * The charge activity's own attempt accounting, for runs that let it count (input `ownRetries`). Temporal retries
 * such a charge without a limit, and the activity counts only attempts that sent something to the gateway: a retry
 * refused by the open circuit breaker or the empty retry budget sends nothing, so it must neither use up one of
 * the payment's attempts nor make it give up early. What earlier attempts did travels in the heartbeat details,
 * which Temporal hands to the next attempt; each attempt records them once, before its first request.
 */
import { ApplicationFailure } from '@temporalio/common';
import { ErrorType, NON_RETRYABLE_ERROR_TYPES } from '../shared/errors';
import type { PaymentPolicy } from '../shared/payment-types';

export type AttemptPolicy = PaymentPolicy['gatewayRetry'];

export interface ChargeProgress {
  /** Attempts that sent a request to the gateway: the ones that count against maximumAttempts. */
  sent: number;
  /** A charge request may have gone out under this key: a retry must ask the gateway before it sends again. */
  chargeSent: boolean;
  /** Since when (epoch ms) the retries have been refused without a request in between. */
  refusedSince?: number;
}

export function readProgress(details: unknown): ChargeProgress {
  const d = (details ?? {}) as Partial<ChargeProgress>;
  return {
    sent: typeof d.sent === 'number' ? d.sent : 0,
    chargeSent: d.chargeSent === true,
    ...(typeof d.refusedSince === 'number' ? { refusedSince: d.refusedSince } : {}),
  };
}

/** Refusals made here (breaker, budget): nothing was sent. */
export function isRefusal(err: unknown): err is ApplicationFailure {
  return (
    err instanceof ApplicationFailure &&
    (err.type === ErrorType.GatewayCircuitOpen || err.type === ErrorType.RetryBudgetExhausted)
  );
}

export function refusedRetry(retryInMs: number): ApplicationFailure {
  return ApplicationFailure.create({
    type: ErrorType.RetryBudgetExhausted,
    message: `retry budget exhausted: request not sent, asking again in ${retryInMs} ms`,
    nextRetryDelay: retryInMs,
    details: [{ requestSent: false }],
  });
}

/**
 * A refusal that has gone on for `maxDeferralMs`: the payment stops waiting. It says whether a charge may exist
 * under the key, which decides what the workflow does (charge-outcome.ts): nothing sent means not charged.
 */
export function refusedForGood(
  refusal: ApplicationFailure,
  progress: ChargeProgress,
  since: number,
): ApplicationFailure {
  const waitedMs = Date.now() - since;
  return ApplicationFailure.create({
    type: refusal.type ?? undefined,
    message: `${refusal.message}; refused for ${waitedMs} ms, giving up`,
    nonRetryable: true,
    details: [{ requestSent: false, chargeSent: progress.chargeSent, waitedMs }],
  });
}

/**
 * What a failed attempt that sent something throws: on its last attempt the same failure, non-retryable (the
 * workflow reads the type as before); otherwise the policy's exponential delay by attempts that counted, which
 * Temporal's own would overstate after refusals (a 429's Retry-After is kept).
 */
export function afterSentFailure(err: unknown, sent: number, policy: AttemptPolicy): unknown {
  if (!(err instanceof ApplicationFailure) || err.nonRetryable) return err;
  if (NON_RETRYABLE_ERROR_TYPES.includes(err.type as ErrorType)) return err;
  if (sent >= policy.maximumAttempts) {
    return ApplicationFailure.create({
      type: err.type ?? undefined,
      message: `${err.message} (attempt ${sent} of ${policy.maximumAttempts}: giving up)`,
      nonRetryable: true,
      details: err.details as unknown[] | undefined,
      category: err.category ?? undefined,
    });
  }
  if (err.nextRetryDelay !== undefined) return err;
  const delay = Math.min(policy.maximumIntervalMs, policy.initialIntervalMs * policy.backoffCoefficient ** (sent - 1));
  return ApplicationFailure.create({
    type: err.type ?? undefined,
    message: err.message,
    details: err.details as unknown[] | undefined,
    nextRetryDelay: Math.max(1, Math.round(delay)),
    category: err.category ?? undefined,
  });
}

/**
 * When a refused charge asks again: as the refusal says (the breaker's half-open time, the budget's next token),
 * but never later than the payment's own longest backoff, nor after the moment it would stop waiting.
 */
export function refusalDelayMs(refusal: ApplicationFailure, policy: AttemptPolicy, msUntilGivingUp: number): number {
  const asked = typeof refusal.nextRetryDelay === 'number' ? refusal.nextRetryDelay : policy.initialIntervalMs;
  return Math.max(1, Math.min(asked, policy.maximumIntervalMs, Math.ceil(msUntilGivingUp)));
}

export function withRetryDelay(failure: ApplicationFailure, nextRetryDelay: number): ApplicationFailure {
  return ApplicationFailure.create({
    type: failure.type ?? undefined,
    message: failure.message,
    details: failure.details as unknown[] | undefined,
    nextRetryDelay,
    category: failure.category ?? undefined,
  });
}

/**
 * A refused connection (GatewayNetwork: the request was never sent) on a key nothing else was ever sent under: the
 * gateway certainly holds no charge for it. Final, so the payment can fail over (workflows/charge-outcome.ts).
 */
export function neverReached(failure: ApplicationFailure): ApplicationFailure {
  return ApplicationFailure.create({
    type: failure.type ?? ErrorType.GatewayNetwork,
    message: `${failure.message}; nothing was ever sent under this key`,
    nonRetryable: true,
    details: [{ requestSent: false, chargeSent: false }],
  });
}

/** The attempt that would have been the last sent something and never reported: it timed out or its worker died. */
export function unfinishedLastAttempt(policy: AttemptPolicy): ApplicationFailure {
  return ApplicationFailure.create({
    type: ErrorType.GatewayTimeout,
    message: `the last of ${policy.maximumAttempts} attempts sent its request and did not finish: outcome unknown`,
    nonRetryable: true,
  });
}
