/** Stripe's idempotency semantics: replay, parameter mismatch, concurrent use and per-endpoint scope. */
import type { GatewaySandbox } from '../../gateway-sandbox/server';
import type { Charge, GatewayErrorBody } from '../../gateway-sandbox/types';
import { cardCharge, newKey, SandboxClient, startSandbox } from './helpers';

let sandbox: GatewaySandbox;
let api: SandboxClient;

beforeAll(async () => {
  sandbox = await startSandbox();
  api = new SandboxClient(sandbox.url);
});

afterAll(() => sandbox.close());

describe('replay', () => {
  it('replays a 200 with Idempotent-Replayed: true and creates no second charge', async () => {
    const key = newKey();
    const first = await api.createCharge<Charge>(cardCharge('4242424242424242'), key);
    const second = await api.createCharge<Charge>(cardCharge('4242424242424242'), key);

    expect(second.status).toBe(200);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(second.body).toEqual(first.body);
    expect(await api.chargesUnder(key)).toHaveLength(1);
  });

  it('replays a 402 decline with the same declined charge', async () => {
    const key = newKey();
    const first = await api.createCharge<GatewayErrorBody>(cardCharge('4000000000009995'), key);
    const second = await api.createCharge<GatewayErrorBody>(cardCharge('4000000000009995'), key);

    expect(first.status).toBe(402);
    expect(second.status).toBe(402);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(second.body).toEqual(first.body);
    expect(second.body.error.decline_code).toBe('insufficient_funds');
    expect(await api.chargesUnder(key)).toHaveLength(1);
  });

  it('treats a body with reordered keys as the same request', async () => {
    const key = newKey();
    const body = cardCharge('4242424242424242', { metadata: { a: '1', b: '2' } });
    const reordered = {
      metadata: { b: '2', a: '1' },
      payment_method: body.payment_method,
      currency: 'usd',
      amount: 1999,
    };
    const first = await api.createCharge<Charge>(body, key);
    const second = await api.createCharge<Charge>(reordered, key);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(second.body.id).toBe(first.body.id);
  });

  it('replays the response as first sent, even after the charge changed', async () => {
    const key = newKey();
    const first = await api.createCharge<Charge>(cardCharge('4000000000003220'), key);
    await api.request('POST', `/_sandbox/3ds/${first.body.id}`, { result: 'succeeded' });
    await api.request('POST', `/v1/charges/${first.body.id}/confirm`);

    const replay = await api.createCharge<Charge>(cardCharge('4000000000003220'), key);
    expect(replay.body.status).toBe('requires_action');
    expect((await api.request<Charge>('GET', `/v1/charges/${first.body.id}`)).body.status).toBe('succeeded');
  });
});

describe('mismatch and concurrency', () => {
  it('answers 400 idempotency_error for the same key with different parameters', async () => {
    const key = newKey();
    await api.createCharge(cardCharge('4242424242424242', { amount: 1000 }), key);
    const response = await api.createCharge<GatewayErrorBody>(cardCharge('4242424242424242', { amount: 2000 }), key);

    expect(response.status).toBe(400);
    expect(response.body.error.type).toBe('idempotency_error');
    expect(response.body.error.message).toEqual(expect.any(String));
    expect(await api.chargesUnder(key)).toHaveLength(1);
  });

  it('answers 409 idempotency_key_in_use while the first request is in flight, then replays', async () => {
    const key = newKey('inflight');
    await api.addFault({ kind: 'latency', latencyMs: 400, match: { idempotencyKeyPrefix: key } });
    const slow = api.createCharge<Charge>(cardCharge('4242424242424242'), key);
    await new Promise((resolve) => setTimeout(resolve, 100));

    const concurrent = await api.createCharge<GatewayErrorBody>(cardCharge('4242424242424242'), key);
    expect(concurrent.status).toBe(409);
    expect(concurrent.body.error).toMatchObject({ type: 'invalid_request_error', code: 'idempotency_key_in_use' });

    const first = await slow;
    expect(first.status).toBe(200);
    const after = await api.createCharge<Charge>(cardCharge('4242424242424242'), key);
    expect(after.headers.get('idempotent-replayed')).toBe('true');
    expect(after.body.id).toBe(first.body.id);
    expect(await api.chargesUnder(key)).toHaveLength(1);
  });

  it('creates exactly one charge when many requests race on one key', async () => {
    const key = newKey();
    const responses = await Promise.all(
      Array.from({ length: 20 }, () => api.createCharge<Charge>(cardCharge('4242424242424242'), key)),
    );
    const ids = new Set(responses.filter((response) => response.status === 200).map((response) => response.body.id));
    expect(ids.size).toBe(1);
    expect(responses.every((response) => response.status === 200 || response.status === 409)).toBe(true);
    expect(await api.chargesUnder(key)).toHaveLength(1);
  });
});

describe('scope', () => {
  it('scopes keys per endpoint: a confirm may reuse the key of the charge it confirms', async () => {
    const key = newKey();
    const charge = await api.createCharge<Charge>(cardCharge('4000000000003220'), key);
    await api.request('POST', `/_sandbox/3ds/${charge.body.id}`, { result: 'succeeded' });
    const confirmed = await api.request<Charge>('POST', `/v1/charges/${charge.body.id}/confirm`, undefined, {
      'Idempotency-Key': key,
    });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body.status).toBe('succeeded');
    expect(confirmed.headers.get('idempotent-replayed')).toBeNull();
  });

  it('ignores the key on GET requests', async () => {
    const key = newKey();
    const charge = await api.createCharge<Charge>(cardCharge('4242424242424242'), key);
    const read = await api.request<Charge>('GET', `/v1/charges/${charge.body.id}`, undefined, {
      'Idempotency-Key': key,
    });
    expect(read.status).toBe(200);
    expect(read.headers.get('idempotent-replayed')).toBeNull();
  });
});
