/**
 * Every duration and budget a payment uses. The defaults here are what a payment gets when it starts: the
 * client resolves them into the workflow input, so an open run (refund windows last 180 days) keeps the policy
 * it started with whatever later releases change below. Tests pass milliseconds instead.
 */
import type { DegradationPolicy, PaymentPolicy } from './payment-types';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * The degradation ladder's defaults (levels 4-6). Trusted: the merchant's flag on the request, or three earlier
 * succeeded payments. A queued payment waits at most a day; its looks at the gateway start at the breaker's
 * half-open time (30 s) and back off to 5 minutes, which bounds its history (a day is under 300 looks).
 */
export const DEFAULT_DEGRADATION: DegradationPolicy = {
  queueTrusted: true,
  trustFlagged: true,
  trustAfterPayments: 3,
  maxQueueMs: DAY,
  probeIntervalMs: 30_000,
  probeMaxIntervalMs: 5 * MINUTE,
  alternativePaymentMethods: ['PayPal', 'bank transfer'],
};

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
  degradation: DEFAULT_DEGRADATION,
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
    // null switches the ladder off; a partial ladder is completed from today's.
    degradation: resolveDegradation(overrides.degradation, d.degradation),
  };
}

function resolveDegradation(
  overrides: Partial<DegradationPolicy> | null | undefined,
  defaults: DegradationPolicy | null | undefined,
): DegradationPolicy | null | undefined {
  if (overrides === null) return null;
  if (overrides === undefined) return defaults;
  return { ...(defaults ?? DEFAULT_DEGRADATION), ...overrides };
}

/** The first field of a resolved policy that is missing or not a positive finite number, or undefined. */
export function policyProblem(policy: unknown): string | undefined {
  // The ladder is optional (inputs started before it have none) and has its own shape: checked on its own.
  const { degradation: _ladder, ...shape } = DEFAULT_PAYMENT_POLICY;
  return walk(policy, shape, 'policy') ?? degradationProblem((policy as PaymentPolicy).degradation);
}

/** What is wrong with a payment's ladder, or undefined (absent and null are fine: the ladder is off). */
export function degradationProblem(ladder: unknown): string | undefined {
  if (ladder === undefined || ladder === null) return undefined;
  const { alternativePaymentMethods: _list, ...numbers } = DEFAULT_DEGRADATION;
  const flags = ['queueTrusted', 'trustFlagged'];
  const numeric = Object.fromEntries(Object.entries(numbers).filter(([k]) => !flags.includes(k)));
  const problem = walk(ladder, numeric, 'policy.degradation');
  if (problem) return problem;
  const l = ladder as Record<string, unknown>;
  const flag = flags.find((f) => typeof l[f] !== 'boolean');
  if (flag) return `policy.degradation.${flag} must be true or false`;
  const list = l.alternativePaymentMethods;
  if (!Array.isArray(list) || !list.every((m) => typeof m === 'string' && m.length > 0)) {
    return 'policy.degradation.alternativePaymentMethods must be a list of names';
  }
  return undefined;
}

/** Budgets where none is a meaningful choice (no step-up at all); every duration must be positive. */
const MAY_BE_ZERO: ReadonlySet<string> = new Set(['authenticationStepUps', 'trustAfterPayments']);

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
