/** The frozen tables that old runs replay with must never change; the live defaults may. */
import {
  DEFAULT_DEGRADATION,
  DEFAULT_PAYMENT_POLICY,
  LEGACY_POLICY_DEFAULTS,
  policyProblem,
  resolvePolicy,
} from '../../shared/payment-policy';
import { LEGACY_DISPUTE_DEFAULTS } from '../../shared/dispute-policy';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

it('pins release 0.1 defaults, value by value, and freezes them', () => {
  expect(LEGACY_POLICY_DEFAULTS).toEqual({
    gatewayRetry: { initialIntervalMs: 1_000, maximumIntervalMs: MINUTE, backoffCoefficient: 2, maximumAttempts: 5 },
    gatewayCallTimeoutMs: 30_000,
    softRetry: { maxAttempts: 8, baseDelayMs: HOUR, maxDelayMs: DAY },
    unknownOutcome: { checkIntervalMs: 5 * MINUTE, maxChecks: 12 },
    threeDSTimeoutMs: 15 * MINUTE,
    authenticationStepUps: 1,
    cardReplacementTimeoutMs: 7 * DAY,
    deadLetterWindowMs: 14 * DAY,
    refundWindowMs: 180 * DAY,
    refundRetry: {
      initialIntervalMs: 2_000,
      maximumIntervalMs: 5 * MINUTE,
      backoffCoefficient: 2,
      maximumAttempts: 10,
    },
  });
  expect(LEGACY_DISPUTE_DEFAULTS).toEqual({ submitMarginMs: 2 * DAY, closedCheckIntervalMs: DAY });
  expect(Object.isFrozen(LEGACY_POLICY_DEFAULTS.softRetry)).toBe(true);
  expect(() => {
    (LEGACY_POLICY_DEFAULTS.softRetry as { maxAttempts: number }).maxAttempts = 1;
  }).toThrow(TypeError);
});

it('resolves overrides field by field over the given defaults', () => {
  const resolved = resolvePolicy({ softRetry: { maxAttempts: 2 } as never }, LEGACY_POLICY_DEFAULTS);
  expect(resolved.softRetry).toEqual({ maxAttempts: 2, baseDelayMs: HOUR, maxDelayMs: DAY });
  expect(resolvePolicy()).toEqual(DEFAULT_PAYMENT_POLICY);
});

it('says which field a versioned input lacks', () => {
  expect(policyProblem(DEFAULT_PAYMENT_POLICY)).toBeUndefined();
  expect(policyProblem(undefined)).toBe('policy is missing');
  const { softRetry, ...rest } = DEFAULT_PAYMENT_POLICY;
  expect(policyProblem({ ...rest, softRetry: { ...softRetry, maxAttempts: undefined } })).toBe(
    'policy.softRetry.maxAttempts must be a positive number',
  );
  expect(policyProblem({ ...DEFAULT_PAYMENT_POLICY, refundWindowMs: Number.NaN })).toBe(
    'policy.refundWindowMs must be a positive number',
  );
});

describe('the degradation ladder in a policy', () => {
  const { degradation: _ladder, ...before } = DEFAULT_PAYMENT_POLICY;

  it('is optional: a policy resolved before the ladder (no field) or with it off (null) is complete', () => {
    expect(policyProblem(before)).toBeUndefined();
    expect(policyProblem({ ...before, degradation: null })).toBeUndefined();
    // Release 0.1's table never had one, so legacy runs resolve without a ladder.
    expect(resolvePolicy({}, LEGACY_POLICY_DEFAULTS).degradation).toBeUndefined();
  });

  it('resolves null as off, and a partial ladder over the defaults', () => {
    expect(resolvePolicy({ degradation: null }).degradation).toBeNull();
    expect(resolvePolicy({ degradation: { maxQueueMs: 5 } as never }).degradation).toEqual({
      ...DEFAULT_DEGRADATION,
      maxQueueMs: 5,
    });
  });

  it('names what is wrong with one', () => {
    const bad = (change: Record<string, unknown>) =>
      policyProblem({ ...before, degradation: { ...DEFAULT_DEGRADATION, ...change } });
    expect(bad({ maxQueueMs: 0 })).toBe('policy.degradation.maxQueueMs must be a positive number');
    expect(bad({ trustAfterPayments: 0 })).toBeUndefined();
    expect(bad({ trustAfterPayments: -1 })).toBe('policy.degradation.trustAfterPayments must be a non-negative number');
    expect(bad({ queueTrusted: 'yes' })).toBe('policy.degradation.queueTrusted must be true or false');
    expect(bad({ alternativePaymentMethods: 'PayPal' })).toBe(
      'policy.degradation.alternativePaymentMethods must be a list of names',
    );
  });
});
