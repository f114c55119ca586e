/** Fault matching, ordering, counts, probabilities, listing and deletion. */
import type { GatewaySandbox } from '../../gateway-sandbox/server';
import type { GatewayErrorBody } from '../../gateway-sandbox/types';
import { cardCharge, newKey, SandboxClient, startSandbox } from './helpers';

let sandbox: GatewaySandbox;
let api: SandboxClient;

beforeAll(async () => {
  sandbox = await startSandbox();
  api = new SandboxClient(sandbox.url);
});

afterAll(() => sandbox.close());

beforeEach(() => api.request('DELETE', '/_sandbox/faults'));

describe('matching and counting', () => {
  it('applies only to matching requests, in creation order, for its count', async () => {
    await api.addFault({ kind: 'status', status: 502, count: 2, match: { idempotencyKeyPrefix: 'flaky-' } });
    await api.addFault({ kind: 'status', status: 504, match: { idempotencyKeyPrefix: 'flaky-' } });

    expect((await api.createCharge(cardCharge('4242424242424242'), newKey('steady'))).status).toBe(200);
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 4; attempt++) {
      statuses.push((await api.createCharge(cardCharge('4242424242424242'), newKey('flaky'))).status);
    }
    expect(statuses).toEqual([502, 502, 504, 200]);
    expect(await api.listFaults()).toEqual([]);
  });

  it('never applies to /_sandbox routes, /health, or unauthenticated requests', async () => {
    await api.addFault({ kind: 'status', status: 500 });
    expect((await api.request('GET', '/health')).status).toBe(200);
    expect((await api.request('GET', '/_sandbox/ledger')).status).toBe(200);
    expect((await new SandboxClient(sandbox.url, 'sk_wrong').request('GET', '/v1/charges/ch_x')).status).toBe(401);
    expect((await api.request('GET', '/v1/charges/ch_x')).status).toBe(500);
  });

  it('lists faults with remaining counts, and deletes one or all', async () => {
    const first = await api.addFault({ kind: 'latency', latencyMs: 10, count: 3, match: { method: 'post' } });
    const second = await api.addFault({ kind: 'reset', probability: 0.25 });
    expect(await api.listFaults()).toEqual([
      { id: first, kind: 'latency', remaining: 3, probability: 1, hits: 0, latencyMs: 10, match: { method: 'POST' } },
      { id: second, kind: 'reset', remaining: null, probability: 0.25, hits: 0 },
    ]);

    expect((await api.request('DELETE', `/_sandbox/faults/${first}`)).status).toBe(200);
    expect((await api.request('DELETE', `/_sandbox/faults/${first}`)).status).toBe(404);
    expect((await api.listFaults()).map((fault) => fault.id)).toEqual([second]);
    expect(await api.request('DELETE', '/_sandbox/faults')).toMatchObject({ status: 200, body: { deleted: 1 } });
    expect(await api.listFaults()).toEqual([]);
  });

  it('rejects invalid fault specs', async () => {
    const invalid: unknown[] = [
      { kind: 'explode' },
      { kind: 'status', status: 418 },
      { kind: 'status' },
      { kind: 'latency' },
      { kind: 'reset', probability: 1.5 },
      { kind: 'reset', count: 0 },
      { kind: 'reset', match: { path: 'v1' } },
      { kind: 'reset', surprise: true },
    ];
    for (const spec of invalid) {
      const response = await api.request<GatewayErrorBody>('POST', '/_sandbox/faults', spec);
      expect({ spec, status: response.status }).toEqual({ spec, status: 400 });
    }
    expect(await api.listFaults()).toEqual([]);
  });
});

describe('probability', () => {
  it('hits roughly the given share of matching requests while unlimited', async () => {
    await api.addFault({ kind: 'status', status: 503, probability: 0.5, match: { path: '/v1/charges/ch_prob' } });
    let hits = 0;
    for (let request = 0; request < 300; request++) {
      const { status } = await api.request('GET', '/v1/charges/ch_prob');
      expect([404, 503]).toContain(status);
      if (status === 503) hits++;
    }
    // Binomial(300, 0.5): sd ≈ 8.7, so ±60 is about seven standard deviations.
    expect(hits).toBeGreaterThan(90);
    expect(hits).toBeLessThan(210);
    expect(await api.listFaults()).toEqual([expect.objectContaining({ remaining: null, hits })]);
  });

  it('stops after count hits when a count is given', async () => {
    await api.addFault({
      kind: 'status',
      status: 500,
      probability: 0.5,
      count: 5,
      match: { path: '/v1/charges/ch_p5' },
    });
    let hits = 0;
    for (let request = 0; request < 100; request++) {
      if ((await api.request('GET', '/v1/charges/ch_p5')).status === 500) hits++;
    }
    expect(hits).toBe(5);
    expect(await api.listFaults()).toEqual([]);
  });

  it('never hits with probability 0', async () => {
    await api.addFault({ kind: 'status', status: 500, probability: 0 });
    for (let request = 0; request < 20; request++) {
      expect((await api.request('GET', '/v1/charges/ch_x')).status).toBe(404);
    }
  });
});
