/**
 * Changes, in place, the code defaults and the decline table that open runs must not depend on: a bundle built
 * with this module first is "the code of a later release" whose tables were edited while payments were open.
 */
import { DEFAULT_PAYMENT_POLICY } from '../../../shared/payment-policy';
import { DECLINE_TABLE, type DeclineRule } from '../../../shared/declines';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

DEFAULT_PAYMENT_POLICY.softRetry.maxAttempts = 2;
DEFAULT_PAYMENT_POLICY.unknownOutcome.maxChecks = 1;
DEFAULT_PAYMENT_POLICY.threeDSTimeoutMs = 1;
DEFAULT_PAYMENT_POLICY.refundWindowMs = 1;
DEFAULT_PAYMENT_POLICY.deadLetterWindowMs = 1;
DEFAULT_PAYMENT_POLICY.gatewayRetry.maximumAttempts = 1;

// Every soft decline becomes hard, and every hard one fraud: each branch an open run took would change.
for (const rule of DECLINE_TABLE as Mutable<DeclineRule>[]) {
  if (rule.declineClass === 'soft') rule.declineClass = 'hard';
  else if (rule.declineClass === 'hard') rule.declineClass = 'fraud';
}
