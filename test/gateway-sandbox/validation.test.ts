/**
 * Invalid requests answer 400 before the idempotency layer, so they are never stored under the key: the same key
 * with a valid body afterwards creates a charge instead of replaying the 400 (Stripe's rule for invalid params).
 */
import type { GatewaySandbox } from '../../gateway-sandbox/server';
import type { Charge, GatewayErrorBody, LedgerResponse } from '../../gateway-sandbox/types';
import { cardCharge, newKey, SandboxClient, startSandbox } from './helpers';

let sandbox: GatewaySandbox;
let api: SandboxClient;

beforeAll(async () => {
  sandbox = await startSandbox();
  api = new SandboxClient(sandbox.url);
});

afterAll(() => sandbox.close());

const valid = cardCharge('4242424242424242');

async function expectKeyStillUnused(key: string): Promise<void> {
  const ledger = await api.request<LedgerResponse>('GET', `/_sandbox/ledger?idempotency_key=${key}`);
  expect(ledger.body.charges).toHaveLength(0);
  const retry = await api.createCharge<Charge>(valid, key);
  expect(retry.status).toBe(200);
  expect(retry.headers.get('idempotent-replayed')).toBeNull();
  expect(retry.body.status).toBe('succeeded');
}

describe('400 parameter_invalid, not stored under the key', () => {
  const invalidBodies: Array<[string, unknown, string]> = [
    ['amount 0', { ...valid, amount: 0 }, 'amount'],
    ['amount -1', { ...valid, amount: -1 }, 'amount'],
    ['amount 1.5', { ...valid, amount: 1.5 }, 'amount'],
    ["amount '10'", { ...valid, amount: '10' }, 'amount'],
    ['amount over 99999999', { ...valid, amount: 100_000_000 }, 'amount'],
    ['a 2-letter currency', { ...valid, currency: 'us' }, 'currency'],
    ['a 4-letter currency', { ...valid, currency: 'usdd' }, 'currency'],
    ['a numeric currency', { ...valid, currency: '840' }, 'currency'],
    ['a card number with letters', cardCharge('4242abcd42424242'), 'payment_method[number]'],
    ['an 11-digit card number', cardCharge('42424242424'), 'payment_method[number]'],
    ['a 20-digit card number', cardCharge('42424242424242424242'), 'payment_method[number]'],
    [
      'a numeric card number',
      { ...valid, payment_method: { type: 'card', number: 4242424242424242 } },
      'payment_method[number]',
    ],
    [
      'an unknown payment method type',
      { ...valid, payment_method: { type: 'bank', number: '1' } },
      'payment_method[type]',
    ],
    ['an unknown top-level field', { ...valid, customer: 'cus_1' }, 'customer'],
    [
      'an unknown nested field',
      { ...valid, payment_method: { type: 'card', number: '4242424242424242', cvc: '1' } },
      'payment_method[cvc]',
    ],
    ['non-string metadata', { ...valid, metadata: { n: 1 } }, 'metadata[n]'],
  ];

  it.each(invalidBodies)('%s', async (_label, body, param) => {
    const key = newKey();
    const response = await api.createCharge<GatewayErrorBody>(body, key);

    expect(response.status).toBe(400);
    expect(response.body.error).toMatchObject({ type: 'invalid_request_error', code: 'parameter_invalid', param });
    expect(response.body.error.message).toEqual(expect.any(String));
    await expectKeyStillUnused(key);
  });
});

describe('400 parameter_missing', () => {
  it.each([
    ['amount', { currency: 'usd', payment_method: valid.payment_method }],
    ['currency', { amount: 100, payment_method: valid.payment_method }],
    ['payment_method', { amount: 100, currency: 'usd' }],
  ])('for a missing %s', async (param, body) => {
    const key = newKey();
    const response = await api.createCharge<GatewayErrorBody>(body, key);
    expect(response.status).toBe(400);
    expect(response.body.error).toMatchObject({ type: 'invalid_request_error', code: 'parameter_missing', param });
    await expectKeyStillUnused(key);
  });

  it('for a missing or empty Idempotency-Key header, creating nothing', async () => {
    for (const key of [undefined, '']) {
      const response = await api.createCharge<GatewayErrorBody>(valid, key);
      expect(response.status).toBe(400);
      expect(response.body.error).toMatchObject({ type: 'invalid_request_error', code: 'parameter_missing' });
    }
    const ledger = await api.request<LedgerResponse>('GET', '/_sandbox/ledger');
    expect(ledger.body.charges.filter((charge) => charge.idempotency_key === '')).toHaveLength(0);
  });
});

describe('other malformed requests', () => {
  it('rejects an Idempotency-Key over 255 characters and accepts exactly 255', async () => {
    const tooLong = await api.createCharge<GatewayErrorBody>(valid, 'k'.repeat(256));
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.error.type).toBe('invalid_request_error');
    const longest = await api.createCharge<Charge>(valid, `${newKey()}-`.padEnd(255, 'k'));
    expect(longest.status).toBe(200);
  });

  it('answers malformed JSON with a JSON 400 and stores nothing', async () => {
    const key = newKey();
    const response = await fetch(`${sandbox.url}/v1/charges`, {
      method: 'POST',
      headers: { Authorization: 'Bearer sk_test_sandbox', 'Idempotency-Key': key, 'Content-Type': 'application/json' },
      body: '{"amount":',
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as GatewayErrorBody).error.type).toBe('invalid_request_error');
    await expectKeyStillUnused(key);
  });

  it('answers a body over 1 MiB with a JSON 413', async () => {
    const metadata = { blob: 'x'.repeat(1024 * 1024) };
    const response = await api.createCharge<GatewayErrorBody>({ ...valid, metadata }, newKey());
    expect(response.status).toBe(413);
    expect(response.body.error.type).toBe('invalid_request_error');
  });

  it('answers an unknown route with a JSON 404', async () => {
    const response = await api.request<GatewayErrorBody>('GET', '/v1/customers');
    expect(response.status).toBe(404);
    expect(response.body.error).toMatchObject({ type: 'invalid_request_error', code: 'resource_missing' });
  });
});
