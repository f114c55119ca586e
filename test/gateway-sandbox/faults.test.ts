/** Each fault kind, and what it leaves behind: charged or not, stored under the key or not. */
import type { GatewaySandbox } from '../../gateway-sandbox/server';
import type { Charge, ChargeList, FaultStatus, GatewayErrorBody } from '../../gateway-sandbox/types';
import { cardCharge, newKey, SandboxClient, startSandbox } from './helpers';

let sandbox: GatewaySandbox;
let api: SandboxClient;

beforeAll(async () => {
  sandbox = await startSandbox();
  api = new SandboxClient(sandbox.url);
});

afterAll(() => sandbox.close());

beforeEach(() => api.request('DELETE', '/_sandbox/faults'));

/** The client must see a dead socket, not an HTTP answer. */
const socketError = { message: 'fetch failed', cause: expect.objectContaining({ code: 'UND_ERR_SOCKET' }) };

describe('latency', () => {
  it('delays the answer, then processes the request normally', async () => {
    const key = newKey('slow');
    await api.addFault({ kind: 'latency', latencyMs: 300, match: { idempotencyKeyPrefix: 'slow-' } });
    const started = Date.now();
    const response = await api.createCharge<Charge>(cardCharge('4242424242424242'), key);

    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(response.status).toBe(200);
    expect(response.body.status).toBe('succeeded');
    expect(await api.ledger(`?idempotency_key=${key}`)).toHaveLength(1);
  });

  it('still charges when the client gives up first; the retry replays that charge', async () => {
    const key = newKey('timeout');
    await api.addFault({ kind: 'latency', latencyMs: 300, match: { idempotencyKeyPrefix: 'timeout-' } });
    const timedOut = fetch(`${sandbox.url}/v1/charges`, {
      method: 'POST',
      headers: { Authorization: 'Bearer sk_test_sandbox', 'Idempotency-Key': key, 'Content-Type': 'application/json' },
      body: JSON.stringify(cardCharge('4242424242424242')),
      signal: AbortSignal.timeout(50),
    });
    await expect(timedOut).rejects.toMatchObject({ name: 'TimeoutError' });

    await new Promise((resolve) => setTimeout(resolve, 400));
    const [charge] = await api.chargesUnder(key);
    expect(charge).toMatchObject({ status: 'succeeded', idempotency_key: key });
    const retry = await api.createCharge<Charge>(cardCharge('4242424242424242'), key);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(retry.body.id).toBe(charge.id);
  });

  it('also delays reads', async () => {
    await api.addFault({ kind: 'latency', latencyMs: 200, match: { method: 'get', path: '/v1/charges/' } });
    const started = Date.now();
    expect((await api.request('GET', '/v1/charges/ch_none')).status).toBe(404);
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
  });
});

describe('status', () => {
  it.each([500, 502, 503, 504] as FaultStatus[])('answers %i without charging or storing the key', async (status) => {
    const key = newKey();
    await api.addFault({ kind: 'status', status, match: { path: '/v1/charges' } });
    const response = await api.createCharge<GatewayErrorBody>(cardCharge('4242424242424242'), key);

    expect(response.status).toBe(status);
    expect(response.body.error.type).toBe('api_error');
    expect(await api.ledger(`?idempotency_key=${key}`)).toHaveLength(0);
    const retry = await api.createCharge<Charge>(cardCharge('4242424242424242'), key);
    expect(retry.status).toBe(200);
    expect(retry.headers.get('idempotent-replayed')).toBeNull();
  });
});

describe('rate_limit', () => {
  it('answers 429 with Retry-After and does nothing', async () => {
    const key = newKey();
    await api.addFault({ kind: 'rate_limit', retryAfterSeconds: 7 });
    const response = await api.createCharge<GatewayErrorBody>(cardCharge('4242424242424242'), key);

    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('7');
    expect(response.body.error).toMatchObject({ type: 'rate_limit_error', code: 'rate_limit' });
    expect(await api.ledger(`?idempotency_key=${key}`)).toHaveLength(0);
  });

  it('defaults Retry-After to 1 second', async () => {
    await api.addFault({ kind: 'rate_limit' });
    const response = await api.request('GET', '/v1/charges/ch_x');
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('1');
  });
});

describe('reset', () => {
  it('destroys the socket without an answer and charges nothing', async () => {
    const key = newKey();
    await api.addFault({ kind: 'reset', match: { method: 'POST' } });
    await expect(api.createCharge(cardCharge('4242424242424242'), key)).rejects.toMatchObject(socketError);

    expect(await api.ledger(`?idempotency_key=${key}`)).toHaveLength(0);
    const retry = await api.createCharge<Charge>(cardCharge('4242424242424242'), key);
    expect(retry.status).toBe(200);
    expect(retry.headers.get('idempotent-replayed')).toBeNull();
  });
});

describe('commit_then_drop', () => {
  it('charges and stores the answer, drops the socket; status check finds one charge, retry replays it', async () => {
    const key = newKey();
    await api.addFault({ kind: 'commit_then_drop', match: { method: 'POST', path: '/v1/charges' } });
    await expect(api.createCharge(cardCharge('4242424242424242'), key)).rejects.toMatchObject(socketError);

    const list = await api.request<ChargeList>('GET', `/v1/charges?idempotency_key=${key}`);
    expect(list.body.data).toHaveLength(1);
    expect(list.body.data[0]).toMatchObject({ status: 'succeeded', idempotency_key: key });

    const retry = await api.createCharge<Charge>(cardCharge('4242424242424242'), key);
    expect(retry.status).toBe(200);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(retry.body.id).toBe(list.body.data[0].id);
    expect(await api.ledger(`?idempotency_key=${key}`)).toHaveLength(1);
  });

  it('also stores a dropped decline, which the retry replays as 402', async () => {
    const key = newKey();
    await api.addFault({ kind: 'commit_then_drop' });
    await expect(api.createCharge(cardCharge('4000000000000002'), key)).rejects.toMatchObject(socketError);
    const retry = await api.createCharge<GatewayErrorBody>(cardCharge('4000000000000002'), key);
    expect(retry.status).toBe(402);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
  });
});
