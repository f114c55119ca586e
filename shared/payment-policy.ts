/** Production defaults for every duration and budget a payment uses; tests pass milliseconds instead. */
import type { PaymentPolicy } from './payment-types';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export const DEFAULT_PAYMENT_POLICY: PaymentPolicy = {
  // Seed 000's schedule (1 s, 2 s, 4 s ...), capped at a minute so a Retry-After up to 60 s is honoured.
  gatewayRetry: { initialIntervalMs: 1_000, maximumIntervalMs: MINUTE, backoffCoefficient: 2, maximumAttempts: 5 },
  gatewayCallTimeoutMs: 30_000,
  // Stripe recommends at most eight retries of a declined charge.
  softRetry: { maxAttempts: 8, baseDelayMs: HOUR, maxDelayMs: DAY },
  // Kill Bill's janitor checks unknown payments on a schedule before giving up on them.
  unknownOutcome: { checkIntervalMs: 5 * MINUTE, maxChecks: 12 },
  threeDSTimeoutMs: 15 * MINUTE,
  cardReplacementTimeoutMs: 7 * DAY,
  deadLetterWindowMs: 14 * DAY,
  // Card networks allow refunds for about 180 days after capture (seed 002).
  refundWindowMs: 180 * DAY,
  // Refunds are not customer-facing in real time: retry patiently, every retry checks the gateway first.
  refundRetry: { initialIntervalMs: 2_000, maximumIntervalMs: 5 * MINUTE, backoffCoefficient: 2, maximumAttempts: 10 },
};

export function resolvePolicy(overrides: Partial<PaymentPolicy> = {}): PaymentPolicy {
  const d = DEFAULT_PAYMENT_POLICY;
  return {
    ...d,
    ...overrides,
    gatewayRetry: { ...d.gatewayRetry, ...overrides.gatewayRetry },
    softRetry: { ...d.softRetry, ...overrides.softRetry },
    unknownOutcome: { ...d.unknownOutcome, ...overrides.unknownOutcome },
    refundRetry: { ...d.refundRetry, ...overrides.refundRetry },
  };
}
