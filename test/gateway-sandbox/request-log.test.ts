/** The sandbox's request log: every /v1 request, faulted ones too, in order; not the test-control routes. */
import type { GatewaySandbox } from '../../gateway-sandbox/server';
import { RequestLog } from '../../gateway-sandbox/request-log';
import { API_KEY, newKey, startSandbox } from './helpers';

let sandbox: GatewaySandbox;
beforeAll(async () => {
  sandbox = await startSandbox();
});
afterAll(async () => {
  await sandbox?.close();
});

const requests = async () =>
  ((await (await fetch(`${sandbox.url}/_sandbox/requests`)).json()) as { requests: Record<string, unknown>[] })
    .requests;

it('lists API requests with their idempotency key (header or lookup query), faulted or not, and reset clears it', async () => {
  const key = newKey('log');
  await fetch(`${sandbox.url}/_sandbox/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ kind: 'status', status: 503, count: 1 }),
  });
  const auth = { authorization: `Bearer ${API_KEY}` };
  const before = Date.now();
  const charge = await fetch(`${sandbox.url}/v1/charges`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json', 'idempotency-key': key },
    body: JSON.stringify({
      amount: 100,
      currency: 'usd',
      payment_method: { type: 'card', number: '4242424242424242' },
    }),
  });
  expect(charge.status).toBe(503);
  await fetch(`${sandbox.url}/v1/charges?idempotency_key=${key}`, { headers: auth });
  const log = await requests();
  expect(log.map(({ method, path, idempotencyKey }) => ({ method, path, idempotencyKey }))).toEqual([
    { method: 'POST', path: '/v1/charges', idempotencyKey: key },
    { method: 'GET', path: '/v1/charges', idempotencyKey: key },
  ]);
  expect(log[0].at).toBeGreaterThanOrEqual(before);
  await fetch(`${sandbox.url}/_sandbox/reset`, { method: 'POST' });
  expect(await requests()).toEqual([]);
});

it('stays bounded, keeping the newest', () => {
  const log = new RequestLog(10);
  for (let i = 0; i < 100; i++) log.record({ at: i, method: 'GET', path: '/v1/charges' });
  const kept = log.list();
  expect(kept.length).toBeLessThanOrEqual(11);
  expect(kept.at(-1)?.at).toBe(99);
});
