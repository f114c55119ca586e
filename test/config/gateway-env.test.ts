/** GATEWAY and Stripe's variables are checked once at start-up; a live key needs an explicit yes. */
import { parseConfig } from '../../config';
import { gatewaySpecs } from '../../config/gateway';
import { createConfiguredGateway, createConfiguredGateways } from '../../gateways/factory';

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

describe('GATEWAYS: the failover order', () => {
  const two = JSON.stringify([
    { name: 'primary', url: 'http://127.0.0.1:4010' },
    { name: 'secondary', kind: 'sandbox', url: 'http://127.0.0.1:4011', apiKey: 'sk_test_other' },
  ]);

  it('unset, is the one gateway of GATEWAY / GATEWAY_URL, as before', () => {
    expect(gatewaySpecs(parseConfig({ GATEWAY_URL: 'http://127.0.0.1:5000' }))).toEqual([
      { name: 'sandbox', kind: 'sandbox', url: 'http://127.0.0.1:5000', apiKey: 'sk_test_sandbox' },
    ]);
  });

  it('builds one adapter per gateway, in order; the first is the default', () => {
    const cfg = parseConfig({ GATEWAYS: two });
    expect(gatewaySpecs(cfg)).toEqual([
      { name: 'primary', kind: 'sandbox', url: 'http://127.0.0.1:4010', apiKey: 'sk_test_sandbox' },
      { name: 'secondary', kind: 'sandbox', url: 'http://127.0.0.1:4011', apiKey: 'sk_test_other' },
    ]);
    expect(createConfiguredGateways(cfg).map((g) => g.name)).toEqual(['primary', 'secondary']);
    expect(createConfiguredGateway(cfg).name).toBe('primary');
  });

  it.each([
    ['not JSON', '[{', /GATEWAYS: must be a JSON list/],
    ['empty', '[]', /at least one gateway/],
    ['a bad name', JSON.stringify([{ name: 'Primary EU', url: 'http://a' }]), /gateway names are 1-32/],
    [
      'a name twice',
      JSON.stringify([
        { name: 'a', url: 'http://a' },
        { name: 'a', url: 'http://b' },
      ]),
      /unique/,
    ],
    ['a sandbox without url', JSON.stringify([{ name: 'a' }]), /every sandbox gateway needs its url/],
    [
      'two sandboxes on one url',
      JSON.stringify([
        { name: 'a', url: 'http://a' },
        { name: 'b', url: 'http://a' },
      ]),
      /share a url/,
    ],
    ['a stripe gateway without a key', JSON.stringify([{ name: 's', kind: 'stripe' }]), /STRIPE_SECRET_KEY: required/],
  ])('refuses %s', (_what, value, message) => {
    expect(() => parseConfig({ GATEWAYS: value })).toThrow(message);
  });
});
