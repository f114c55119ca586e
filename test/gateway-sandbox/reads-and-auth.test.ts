/** Reading charges back, and API-key auth on /v1 (none on /_sandbox and /health). */
import type { GatewaySandbox } from '../../gateway-sandbox/server';
import type { Charge, ChargeList, GatewayErrorBody } from '../../gateway-sandbox/types';
import { cardCharge, newKey, SandboxClient, startSandbox } from './helpers';

let sandbox: GatewaySandbox;
let api: SandboxClient;

beforeAll(async () => {
  sandbox = await startSandbox();
  api = new SandboxClient(sandbox.url);
});

afterAll(() => sandbox.close());

describe('reading charges', () => {
  it('GET /v1/charges/:id returns the charge, 404 resource_missing when unknown', async () => {
    const created = await api.createCharge<Charge>(cardCharge('4242424242424242'), newKey());
    const found = await api.request<Charge>('GET', `/v1/charges/${created.body.id}`);
    expect(found.status).toBe(200);
    expect(found.body).toEqual(created.body);

    const missing = await api.request<GatewayErrorBody>('GET', '/v1/charges/ch_doesnotexist');
    expect(missing.status).toBe(404);
    expect(missing.body.error).toMatchObject({ type: 'invalid_request_error', code: 'resource_missing' });
  });

  it('GET /v1/charges?idempotency_key= lists the charges of a key, empty when none', async () => {
    const key = newKey();
    const created = await api.createCharge<Charge>(cardCharge('4242424242424242'), key);
    const list = await api.request<ChargeList>('GET', `/v1/charges?idempotency_key=${encodeURIComponent(key)}`);
    expect(list.status).toBe(200);
    expect(list.body).toEqual({ object: 'list', data: [created.body] });

    const empty = await api.request<ChargeList>('GET', `/v1/charges?idempotency_key=${newKey()}`);
    expect(empty.body).toEqual({ object: 'list', data: [] });
  });

  it('GET /v1/charges without idempotency_key is a 400', async () => {
    const response = await api.request<GatewayErrorBody>('GET', '/v1/charges');
    expect(response.status).toBe(400);
    expect(response.body.error).toMatchObject({ type: 'invalid_request_error', code: 'parameter_missing' });
  });
});

describe('authentication', () => {
  it.each([
    ['a missing Authorization header', null],
    ['a wrong key', 'sk_test_wrong'],
  ])('answers 401 invalid_api_key for %s, and charges nothing', async (_label, apiKey) => {
    const client = new SandboxClient(sandbox.url, apiKey);
    const key = newKey();
    const response = await client.createCharge<GatewayErrorBody>(cardCharge('4242424242424242'), key);

    expect(response.status).toBe(401);
    expect(response.body.error).toMatchObject({ type: 'authentication_error', code: 'invalid_api_key' });
    expect((await client.request('GET', '/v1/charges/ch_x')).status).toBe(401);
    // 401s are not stored: the same key with the right API key creates the charge.
    const retry = await api.createCharge<Charge>(cardCharge('4242424242424242'), key);
    expect(retry.status).toBe(200);
    expect(retry.headers.get('idempotent-replayed')).toBeNull();
  });

  it('rejects a non-Bearer scheme and never echoes the full key', async () => {
    const response = await fetch(`${sandbox.url}/v1/charges/ch_x`, {
      headers: { Authorization: 'Basic sk_test_sandbox' },
    });
    expect(response.status).toBe(401);
    const wrong = await fetch(`${sandbox.url}/v1/charges/ch_x`, {
      headers: { Authorization: 'Bearer sk_live_secret123' },
    });
    const body = (await wrong.json()) as GatewayErrorBody;
    expect(body.error.message).not.toContain('sk_live_secret123');
  });

  it('accepts any of several configured keys', async () => {
    const multi = await startSandbox({ apiKeys: ['sk_test_a', 'sk_test_b'] });
    try {
      for (const apiKey of ['sk_test_a', 'sk_test_b']) {
        const response = await new SandboxClient(multi.url, apiKey).createCharge(
          cardCharge('4242424242424242'),
          newKey(),
        );
        expect(response.status).toBe(200);
      }
      const defaultKey = await new SandboxClient(multi.url).createCharge(cardCharge('4242424242424242'), newKey());
      expect(defaultKey.status).toBe(401);
    } finally {
      await multi.close();
    }
  });

  it('needs no auth for /health and /_sandbox routes', async () => {
    const anonymous = new SandboxClient(sandbox.url, null);
    expect(await anonymous.request('GET', '/health')).toMatchObject({ status: 200, body: { ok: true } });
    expect((await anonymous.request('GET', '/_sandbox/ledger')).status).toBe(200);
  });
});
