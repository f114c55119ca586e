/** STRIPE_WEBHOOK_SECRET is checked at start-up: its shape, and that a key comes with it (disputes read the intent). */
import { parseConfig, ReconcileEnvSchema, parseEnv } from '../../config';

const KEY = { GATEWAY: 'stripe', STRIPE_SECRET_KEY: 'sk_test_abc123' };

it('is optional, and taken when it is a whsec_ secret', () => {
  expect(parseConfig(KEY).STRIPE_WEBHOOK_SECRET).toBeUndefined();
  expect(parseConfig({ ...KEY, STRIPE_WEBHOOK_SECRET: 'whsec_abc123' }).STRIPE_WEBHOOK_SECRET).toBe('whsec_abc123');
});

it('refuses another shape, and a secret without STRIPE_SECRET_KEY', () => {
  expect(() => parseConfig({ ...KEY, STRIPE_WEBHOOK_SECRET: 'sk_test_abc' })).toThrow(/STRIPE_WEBHOOK_SECRET: must be/);
  expect(() => parseConfig({ STRIPE_WEBHOOK_SECRET: 'whsec_abc123' })).toThrow(
    /STRIPE_SECRET_KEY: required with STRIPE_WEBHOOK_SECRET/,
  );
});

it('reconcile reads GATEWAY and the Stripe key, defaulting to the sandbox', () => {
  expect(parseEnv(ReconcileEnvSchema, {})).toMatchObject({ GATEWAY: 'sandbox', GATEWAY_URL: 'http://127.0.0.1:4010' });
  expect(parseEnv(ReconcileEnvSchema, KEY)).toMatchObject(KEY);
});
