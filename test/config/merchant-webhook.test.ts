/** Merchant events are signed, so an endpoint without a secret is refused at start-up, not discovered later. */
import { parseConfig } from '../../config';

it('sends no events by default', () => {
  expect(parseConfig({}).MERCHANT_WEBHOOK_URL).toBeUndefined();
});

it('takes an endpoint with its secret, and refuses one without, naming the variable', () => {
  const url = 'https://shop.example/hooks/payments';
  const cfg = parseConfig({ MERCHANT_WEBHOOK_URL: url, MERCHANT_WEBHOOK_SECRET: 'whsec_0123456789abcdef' });
  expect(cfg).toMatchObject({ MERCHANT_WEBHOOK_URL: url, MERCHANT_WEBHOOK_TIMEOUT_MS: 10_000 });
  expect(cfg.MERCHANT_EVENT_WINDOW_HOURS).toBe(72);
  expect(() => parseConfig({ MERCHANT_WEBHOOK_URL: url })).toThrow(/MERCHANT_WEBHOOK_SECRET: required/);
  expect(() => parseConfig({ MERCHANT_WEBHOOK_URL: 'not a url', MERCHANT_WEBHOOK_SECRET: 'x'.repeat(16) })).toThrow(
    /MERCHANT_WEBHOOK_URL/,
  );
});
