/**
 * Declarative retry policies, applied as activity options. Which failures are worth retrying is decided
 * here and in `shared/errors.ts`, not in loops inside activities.
 */
import type { RetryPolicy } from '@temporalio/common';
import { NON_RETRYABLE_ERROR_TYPES } from './errors';
import type { PaymentPolicy } from './payment-types';

/** Gateway calls: transport errors, 429, 5xx and 409-in-use retry with exponential backoff; the rest never. */
export function gatewayRetryPolicy(policy: PaymentPolicy): RetryPolicy {
  return backoff(policy.gatewayRetry);
}

/** Refund calls: the same transient/permanent split as charges, on the refund's own (slower) schedule. */
export function refundRetryPolicy(policy: PaymentPolicy): RetryPolicy {
  return backoff(policy.refundRetry);
}

function backoff(r: PaymentPolicy['gatewayRetry']): RetryPolicy {
  return {
    initialInterval: r.initialIntervalMs,
    maximumInterval: r.maximumIntervalMs,
    backoffCoefficient: r.backoffCoefficient,
    maximumAttempts: r.maximumAttempts,
    nonRetryableErrorTypes: [...NON_RETRYABLE_ERROR_TYPES],
  };
}

/** Audit writes are idempotent inserts: retry until the database is back, a payment must not skip its record. */
export const AUDIT_RETRY_POLICY: RetryPolicy = {
  initialInterval: 200,
  maximumInterval: 30_000,
  backoffCoefficient: 2,
  nonRetryableErrorTypes: [...NON_RETRYABLE_ERROR_TYPES],
};

/**
 * Full jitter (AWS architecture blog): a uniform delay in [0, min(cap, base * 2^n)]. `random` is the
 * workflow's seeded Math.random, so the delay replays deterministically.
 */
export function fullJitterDelay(retryNumber: number, baseMs: number, capMs: number, random: () => number): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.max(0, retryNumber - 1));
  return Math.max(1, Math.floor(random() * ceiling));
}
