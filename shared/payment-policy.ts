/**
 * Every duration and budget a payment uses. The defaults here are what a payment gets when it starts: the
 * client resolves them into the workflow input, so an open run (refund windows last 180 days) keeps the policy
 * it started with whatever later releases change below. Tests pass milliseconds instead.
 */
import type { PaymentPolicy } from './payment-types';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Defaults for payments started from now on. Safe to change: open runs carry their own resolved copy. */
export const DEFAULT_PAYMENT_POLICY: PaymentPolicy = {
  // Seed 000's schedule (1 s, 2 s, 4 s ...), capped at a minute so a Retry-After up to 60 s is honoured.
  gatewayRetry: { initialIntervalMs: 1_000, maximumIntervalMs: MINUTE, backoffCoefficient: 2, maximumAttempts: 5 },
  gatewayCallTimeoutMs: 30_000,
  // Stripe recommends at most eight retries of a declined charge.
  softRetry: { maxAttempts: 8, baseDelayMs: HOUR, maxDelayMs: DAY },
  // Kill Bill's janitor checks unknown payments on a schedule before giving up on them.
  unknownOutcome: { checkIntervalMs: 5 * MINUTE, maxChecks: 12 },
  threeDSTimeoutMs: 15 * MINUTE,
  // One challenge: an issuer that still asks after the cardholder authenticated is not asked again.
  authenticationStepUps: 1,
  cardReplacementTimeoutMs: 7 * DAY,
  deadLetterWindowMs: 14 * DAY,
  // Card networks allow refunds for about 180 days after capture (seed 002).
  refundWindowMs: 180 * DAY,
  // Refunds are not customer-facing in real time: retry patiently, every retry checks the gateway first.
  refundRetry: { initialIntervalMs: 2_000, maximumIntervalMs: 5 * MINUTE, backoffCoefficient: 2, maximumAttempts: 10 },
};

/**
 * NEVER EDIT. The defaults of release 0.1, which merged into a run's partial policy on every replay. Runs that
 * started without a resolved policy (before input version 2, or started by hand with a partial one) take their
 * missing fields from this copy, so their branches stay the ones they took. A test pins every value.
 */
export const LEGACY_POLICY_DEFAULTS: PaymentPolicy = deepFreeze({
  gatewayRetry: { initialIntervalMs: 1_000, maximumIntervalMs: MINUTE, backoffCoefficient: 2, maximumAttempts: 5 },
  gatewayCallTimeoutMs: 30_000,
  softRetry: { maxAttempts: 8, baseDelayMs: HOUR, maxDelayMs: DAY },
  unknownOutcome: { checkIntervalMs: 5 * MINUTE, maxChecks: 12 },
  threeDSTimeoutMs: 15 * MINUTE,
  // Added with the step-up (release 0.2). 0.1 runs never step up, so it changes none of their branches; it is
  // what unversioned runs started on the current shape get, and like every value here it is never edited.
  authenticationStepUps: 1,
  cardReplacementTimeoutMs: 7 * DAY,
  deadLetterWindowMs: 14 * DAY,
  refundWindowMs: 180 * DAY,
  refundRetry: { initialIntervalMs: 2_000, maximumIntervalMs: 5 * MINUTE, backoffCoefficient: 2, maximumAttempts: 10 },
});

/** Overrides merged over `defaults` field by field (nested budgets too). */
export function resolvePolicy(
  overrides: Partial<PaymentPolicy> = {},
  defaults: PaymentPolicy = DEFAULT_PAYMENT_POLICY,
): PaymentPolicy {
  const d = defaults;
  return {
    ...d,
    ...overrides,
    gatewayRetry: { ...d.gatewayRetry, ...overrides.gatewayRetry },
    softRetry: { ...d.softRetry, ...overrides.softRetry },
    unknownOutcome: { ...d.unknownOutcome, ...overrides.unknownOutcome },
    refundRetry: { ...d.refundRetry, ...overrides.refundRetry },
  };
}

/** The first field of a resolved policy that is missing or not a positive finite number, or undefined. */
export function policyProblem(policy: unknown): string | undefined {
  return walk(policy, DEFAULT_PAYMENT_POLICY, 'policy');
}

/** Budgets where none is a meaningful choice (no step-up at all); every duration must be positive. */
const MAY_BE_ZERO: ReadonlySet<string> = new Set(['authenticationStepUps']);

function walk(value: unknown, shape: object, path: string): string | undefined {
  if (typeof value !== 'object' || value === null) return `${path} is missing`;
  for (const [key, expected] of Object.entries(shape)) {
    const actual = (value as Record<string, unknown>)[key];
    const least = MAY_BE_ZERO.has(key) ? 0 : Number.MIN_VALUE;
    const problem =
      typeof expected === 'object'
        ? walk(actual, expected as object, `${path}.${key}`)
        : typeof actual === 'number' && Number.isFinite(actual) && actual >= least
          ? undefined
          : `${path}.${key} must be a ${least === 0 ? 'non-negative' : 'positive'} number`;
    if (problem) return problem;
  }
  return undefined;
}

function deepFreeze<T extends object>(value: T): T {
  for (const child of Object.values(value)) if (typeof child === 'object' && child !== null) deepFreeze(child);
  return Object.freeze(value);
}
