/** The degradation ladder's settings: defaults when unset, each payment's policy from them, bad values refused. */
import { parseConfig } from '../../config';
import { degradationPolicy, paymentsClientOptions } from '../../config/client-options';
import { DEFAULT_DEGRADATION } from '../../shared/payment-policy';

it('defaults to the ladder on: flag or 3 earlier payments trust, a day in the queue, PayPal or bank transfer', () => {
  const cfg = parseConfig({});
  expect(degradationPolicy(cfg)).toEqual({
    queueTrusted: true,
    trustFlagged: true,
    trustAfterPayments: 3,
    maxQueueMs: 86_400_000,
    probeIntervalMs: 30_000,
    probeMaxIntervalMs: 300_000,
    alternativePaymentMethods: ['PayPal', 'bank transfer'],
  });
  expect(degradationPolicy(cfg)).toEqual(DEFAULT_DEGRADATION);
  expect(paymentsClientOptions(cfg).policy?.degradation).toEqual(DEFAULT_DEGRADATION);
});

it('takes other values, and off switches the ladder off (null: dead letter as before)', () => {
  const cfg = parseConfig({
    PAYMENT_QUEUE_TRUST_FLAG: 'false',
    PAYMENT_QUEUE_TRUST_AFTER_PAYMENTS: '0',
    PAYMENT_QUEUE_MAX_MS: '3600000',
    ALTERNATIVE_PAYMENT_METHODS: ' Apple Pay , iDEAL,, ',
  });
  expect(degradationPolicy(cfg)).toMatchObject({
    trustFlagged: false,
    trustAfterPayments: 0,
    maxQueueMs: 3_600_000,
    alternativePaymentMethods: ['Apple Pay', 'iDEAL'],
  });
  expect(degradationPolicy(parseConfig({ ALTERNATIVE_PAYMENT_METHODS: '' }))?.alternativePaymentMethods).toEqual([]);
  expect(degradationPolicy(parseConfig({ DEGRADATION_LADDER: 'off' }))).toBeNull();
});

it('refuses bad values, naming each variable', () => {
  const bad = {
    DEGRADATION_LADDER: 'maybe',
    PAYMENT_QUEUE_TRUSTED: 'yes',
    PAYMENT_QUEUE_TRUST_AFTER_PAYMENTS: '-1',
    PAYMENT_QUEUE_MAX_MS: '0',
    PAYMENT_QUEUE_PROBE_INTERVAL_MS: 'soon',
  };
  expect(() => parseConfig(bad)).toThrow(new RegExp(Object.keys(bad).join('[\\s\\S]*')));
});

it("refuses a queue window whose looks at the gateway would overgrow a payment's history", () => {
  expect(() => parseConfig({ PAYMENT_QUEUE_MAX_MS: String(30 * 86_400_000) })).toThrow(/PAYMENT_QUEUE_MAX_MS: up to/);
  expect(() =>
    parseConfig({ PAYMENT_QUEUE_PROBE_INTERVAL_MS: '60000', PAYMENT_QUEUE_PROBE_MAX_INTERVAL_MS: '1000' }),
  ).toThrow(/PAYMENT_QUEUE_PROBE_MAX_INTERVAL_MS: must be at least/);
});
