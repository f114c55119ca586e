/** GATEWAY and Stripe's variables are checked once at start-up; a live key needs an explicit yes. */
import { parseConfig } from '../../config';
import { createConfiguredGateway } from '../../gateways/factory';

it('defaults to the sandbox, named sandbox', () => {
  const cfg = parseConfig({});
  expect(cfg.GATEWAY).toBe('sandbox');
  expect(createConfiguredGateway(cfg).name).toBe('sandbox');
});

it('takes Stripe with a test key and an API base, named stripe unless GATEWAY_NAME says otherwise', () => {
  const env = { GATEWAY: 'stripe', STRIPE_SECRET_KEY: 'sk_test_abc123', STRIPE_API_BASE: 'http://127.0.0.1:12111' };
  const cfg = parseConfig(env);
  expect(cfg).toMatchObject({ ...env, STRIPE_ALLOW_LIVE: false, STRIPE_SEARCH_LAG_MINUTES: 60 });
  expect(parseConfig({ ...env, STRIPE_SEARCH_LAG_MINUTES: '90' }).STRIPE_SEARCH_LAG_MINUTES).toBe(90);
  expect(() => parseConfig({ ...env, STRIPE_SEARCH_LAG_MINUTES: '0' })).toThrow(/STRIPE_SEARCH_LAG_MINUTES/);
  expect(createConfiguredGateway(cfg).name).toBe('stripe');
  expect(createConfiguredGateway(parseConfig({ ...env, GATEWAY_NAME: 'stripe-eu' })).name).toBe('stripe-eu');
});

it('refuses GATEWAY=stripe without a key, and an unknown gateway', () => {
  expect(() => parseConfig({ GATEWAY: 'stripe' })).toThrow(/STRIPE_SECRET_KEY: required when GATEWAY=stripe/);
  expect(() => parseConfig({ GATEWAY: 'adyen' })).toThrow(/GATEWAY:/);
});

it('refuses a live key unless STRIPE_ALLOW_LIVE=true', () => {
  const live = { GATEWAY: 'stripe', STRIPE_SECRET_KEY: 'sk_live_abc123' };
  expect(() => parseConfig(live)).toThrow(/STRIPE_SECRET_KEY: a live key moves real money/);
  expect(() => parseConfig({ ...live, STRIPE_ALLOW_LIVE: 'false' })).toThrow(/live key/);
  expect(parseConfig({ ...live, STRIPE_ALLOW_LIVE: 'true' }).STRIPE_ALLOW_LIVE).toBe(true);
  expect(() => parseConfig({ ...live, STRIPE_ALLOW_LIVE: 'yes' })).toThrow(/STRIPE_ALLOW_LIVE: must be true or false/);
});

it('refuses what is not a Stripe secret key and an API base that is not a URL, listing both', () => {
  const bad = { GATEWAY: 'stripe', STRIPE_SECRET_KEY: 'pk_test_abc', STRIPE_API_BASE: 'localhost:12111' };
  expect(() => parseConfig(bad)).toThrow(
    /STRIPE_SECRET_KEY: must be a Stripe secret key[\s\S]*STRIPE_API_BASE: must be an http\(s\) URL/,
  );
});
