/**
 * The retry budget is system-wide: two real worker processes on one task queue share one token bucket in
 * PostgreSQL. The sandbox fails every charge and check with 503 for many payments; the retries that reach the
 * gateway, from both workers together, stay within the bucket (burst + rate x time), first attempts of new payments
 * are not held back, and once the gateway recovers every payment succeeds with exactly one charge.
 */
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { paymentIdFromKey } from '../../client/payment-id';
import { PaymentsClient } from '../../client/payments-client';
import { createGatewaySandbox, type GatewaySandbox } from '../../gateway-sandbox/server';
import { freePort } from '../../scripts/lib/free-port';
import { createBackend, type Backend } from '../audit/support/backends';
import { VISA } from '../support/cards';
import { TEST_DATA_CONVERTER } from '../support/encryption';
import { FAST_POLICY } from '../support/fast-policy';
import { addFault, clearFaults, gatewayRequests, ledgerFor, type GatewayRequest } from '../support/gateway-admin';
import { spawnWorker, type RealWorker } from '../support/real-worker';
import { eventually } from '../support/wait';

const RATE = 5;
const BURST = 5;
const taskQueue = `budget-${randomUUID()}`;
let backend: Backend;
let gateway: GatewaySandbox;
let connection: Connection;
let payments: PaymentsClient;
const workers: RealWorker[] = [];
const metricsUrls: string[] = [];

beforeAll(async () => {
  backend = await createBackend('postgres');
  gateway = await createGatewaySandbox({ port: 0 });
  for (let i = 0; i < 2; i++) {
    const port = await freePort();
    metricsUrls.push(`http://127.0.0.1:${port}/metrics`);
    workers.push(
      spawnWorker({
        TEMPORAL_TASK_QUEUE: taskQueue,
        GATEWAY_URL: gateway.url,
        DATABASE_URL: backend.options.databaseUrl,
        WORKER_METRICS_PORT: String(port),
        RETRY_BUDGET_PER_SECOND: String(RATE),
        RETRY_BUDGET_BURST: String(BURST),
        // The breaker would also hold retries back; this test is about the budget alone.
        CIRCUIT_BREAKER_FAILURE_THRESHOLD: '1000000',
        LOG_LEVEL: 'info', // for its "worker started" line
      }),
    );
  }
  connection = await Connection.connect({ address: process.env.TEMPORAL_ADDRESS });
  const client = new Client({ connection, dataConverter: TEST_DATA_CONVERTER });
  payments = new PaymentsClient(client, {
    taskQueue,
    fingerprintSecret: 'budget-test-secret',
    maxAmount: 1e8,
    // Eager retries (100 ms, capped at 1 s) and many attempts: without a budget, 40 failing payments send ~100/s.
    policy: {
      ...FAST_POLICY,
      gatewayRetry: { initialIntervalMs: 100, maximumIntervalMs: 1_000, backoffCoefficient: 2, maximumAttempts: 60 },
    },
  });
  // Both workers poll (their workflow bundle is built) before any payment starts: a slow start is not a delay.
  for (const w of workers) {
    const up = eventually(
      async () => w.output().includes('"msg":"worker started"'),
      (ok) => ok,
      60_000,
    );
    if (!(await Promise.race([up, w.died]))) throw new Error(`worker did not start:\n${w.output()}`);
  }
}, 90_000);

afterAll(async () => {
  await Promise.all(workers.map((w) => w.stop()));
  await connection?.close();
  await gateway?.close();
  await backend?.dispose();
});

/** Starts payments and notes when each was started. */
async function startWave(label: string, count: number): Promise<Map<string, number>> {
  const started = new Map<string, number>();
  for (let i = 0; i < count; i++) {
    const idempotencyKey = `${label}-${i}-${randomUUID()}`;
    started.set(paymentIdFromKey(idempotencyKey), Date.now());
    await payments.startPayment({ idempotencyKey, amount: 1500, currency: 'USD', paymentMethod: VISA });
  }
  return started;
}

function granted(text: string): number {
  const line = text
    .split('\n')
    .find((l) => l.startsWith('payment_retry_budget_decisions_total{') && l.includes('result="granted"'));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : NaN;
}

it('two workers together retry within one budget, first attempts go at once, and every payment charges once', async () => {
  await addFault(gateway.url, { kind: 'status', status: 503, probability: 1 });
  const outageStart = Date.now();
  const first = await startWave('wave1', 30);
  await new Promise((r) => setTimeout(r, 3_000)); // the bucket is empty by now: retries are being refused
  const second = await startWave('wave2', 10);
  await new Promise((r) => setTimeout(r, 4_000));
  await clearFaults(gateway.url);
  const outageEnd = Date.now();

  const requests = await gatewayRequests(gateway.url);
  const byPayment = new Map<string, GatewayRequest[]>();
  for (const r of requests) {
    const id = r.idempotencyKey?.split(':')[0];
    if (id) byPayment.set(id, [...(byPayment.get(id) ?? []), r]);
  }
  const all = new Map([...first, ...second]);
  // First attempts: each payment's first request is its charge, within moments of its start, in both waves.
  for (const [id, startedAt] of all) {
    const own = byPayment.get(id) ?? [];
    expect(own[0]).toMatchObject({ method: 'POST', path: '/v1/charges' });
    expect(own[0].at - startedAt).toBeLessThan(1_500);
  }
  // Retries during the outage: every request after a payment's first. Each was a retry attempt (all were 503'd).
  const retries = [...byPayment.values()]
    .flatMap((own) => own.slice(1))
    .filter((r) => r.at <= outageEnd)
    .map((r) => r.at)
    .sort((a, b) => a - b);
  const seconds = (outageEnd - outageStart) / 1000;
  expect(retries.length).toBeGreaterThan(RATE * seconds * 0.5); // the budget was used, not starved
  expect(retries.length).toBeLessThanOrEqual(BURST + Math.ceil(RATE * seconds) + 1);
  // And in any one second, no more than a full bucket plus one second's refill.
  for (const t of retries) {
    expect(retries.filter((u) => u >= t && u < t + 1_000).length).toBeLessThanOrEqual(BURST + RATE + 1);
  }
  // The bucket is shared, not one per worker: both workers were granted retries.
  const texts = await Promise.all(metricsUrls.map((u) => fetch(u).then((r) => r.text())));
  for (const text of texts) expect(granted(text)).toBeGreaterThan(0);

  // Recovery: every payment finishes, each with exactly one charge in the ledger.
  for (const id of all.keys()) {
    const result = await Promise.race([payments.result(id), ...workers.map((w) => w.died)]);
    expect(result.status).toBe('succeeded');
    const ledger = await ledgerFor(gateway.url, id);
    expect(ledger).toHaveLength(1);
    expect(ledger[0].id).toBe(result.chargeId);
  }
}, 180_000);
