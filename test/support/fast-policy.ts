/** Production shapes, test-sized durations: the dev server runs in real time (no time-skipping offline). */
import type { PaymentPolicy } from '../../shared/payment-types';

export const FAST_POLICY: PaymentPolicy = {
  gatewayRetry: { initialIntervalMs: 100, maximumIntervalMs: 2_000, backoffCoefficient: 2, maximumAttempts: 4 },
  gatewayCallTimeoutMs: 5_000,
  softRetry: { maxAttempts: 3, baseDelayMs: 50, maxDelayMs: 200 },
  unknownOutcome: { checkIntervalMs: 200, maxChecks: 3 },
  threeDSTimeoutMs: 30_000,
  authenticationStepUps: 1,
  cardReplacementTimeoutMs: 30_000,
  deadLetterWindowMs: 30_000,
  refundWindowMs: 60_000,
  refundRetry: { initialIntervalMs: 100, maximumIntervalMs: 1_000, backoffCoefficient: 2, maximumAttempts: 4 },
};
