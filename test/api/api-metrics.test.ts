/**
 * The API exports its own Prometheus metrics at GET /metrics (prom-client): requests by method, route template and
 * status, and latency. Scraped over real HTTP after real requests.
 */
import { randomUUID } from 'node:crypto';
import { paymentIdFromKey } from '../../client/payment-id';
import { eventually, waitForStatus } from '../support/wait';
import { INSUFFICIENT_FUNDS, payment, startApiHarness, type ApiHarness } from './api-harness';

let api: ApiHarness;
beforeAll(async () => {
  api = await startApiHarness();
});
afterAll(async () => {
  await api?.teardown();
});

/** One series' value from the exposition text, matched by name and exact labels. */
function value(text: string, name: string, labels: Record<string, string>): number | undefined {
  const want = Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .sort()
    .join(',');
  for (const line of text.split('\n')) {
    const m = /^([a-z_]+)\{([^}]*)\} (\S+)$/.exec(line);
    if (m?.[1] === name && m[2].split(',').sort().join(',') === want) return Number(m[3]);
  }
  return undefined;
}

it('counts requests by route template and status, and times them', async () => {
  const created = await api.pay(`metrics-${randomUUID()}`, payment(), '?wait=10s');
  expect(created.status).toBe(201);
  const id = created.body.paymentId as string;
  for (let i = 0; i < 3; i++) expect((await api.call('GET', `/payments/${id}`)).status).toBe(200);
  expect((await api.call('GET', `/payments/${randomUUID()}`)).status).toBe(404);
  expect((await api.call('GET', '/no/such/route')).status).toBe(404);

  const scraped = await fetch(`${api.url}/metrics`);
  expect(scraped.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  const text = await scraped.text();
  const requests = (labels: Record<string, string>) => value(text, 'http_requests_total', labels);
  expect(requests({ method: 'POST', route: '/payments', status: '201' })).toBe(1);
  // Ids never become labels: every read of a payment is one series per status.
  expect(requests({ method: 'GET', route: '/payments/:id', status: '200' })).toBe(3);
  expect(requests({ method: 'GET', route: '/payments/:id', status: '404' })).toBe(1);
  expect(requests({ method: 'GET', route: 'unmatched', status: '404' })).toBe(1);
  expect(text).not.toContain(id);
  expect(value(text, 'http_request_duration_seconds_count', { method: 'GET', route: '/payments/:id' })).toBe(4);
  expect(text).toMatch(/^payments_api_process_cpu_user_seconds_total \d/m);
});

it('gauges the payments that need a person now, by reason, from visibility', async () => {
  const attention = async (reason: string) => {
    const text = await (await fetch(`${api.url}/metrics`)).text();
    return value(text, 'payments_needing_attention', { reason });
  };
  // This suite's task queue is its own, so nothing else is counted.
  expect(await attention('dead_lettered')).toBe(0);
  expect(await attention('unknown')).toBe(0);
  expect(await attention('terminated_charged')).toBe(0);

  const key = `metrics-dead-${randomUUID()}`;
  await api.pay(key, { ...payment(INSUFFICIENT_FUNDS), initiator: 'merchant' }); // retried, then dead-lettered
  const paymentId = paymentIdFromKey(key);
  await waitForStatus(api.h.client, paymentId, 'dead_lettered');
  expect(
    await eventually(
      () => attention('dead_lettered'),
      (n) => n === 1,
    ),
  ).toBe(1);

  // An operator deals with it: the gauge says so (it is the state now, not a count of arrivals).
  expect((await api.call('POST', `/payments/${paymentId}/cancel`, { body: { reason: 'customer asked' } })).status).toBe(
    200,
  );
  expect(
    await eventually(
      () => attention('dead_lettered'),
      (n) => n === 0,
    ),
  ).toBe(0);
});
