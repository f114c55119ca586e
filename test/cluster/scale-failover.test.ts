/**
 * Scale-out and failover on Temporal's own server on PostgreSQL: two real worker processes on one task queue take
 * a closed-loop load together (each one's Prometheus endpoint shows payments it finished), one is SIGKILLed while
 * charges are in flight and started again later. Every payment must finish, the gateway's ledger must hold exactly
 * one charge per payment, the PostgreSQL audit trail must reconcile clean, and every history must replay.
 */
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { isPaymentPending } from '../../client/errors';
import { PaymentsClient } from '../../client/payments-client';
import type { StartPaymentRequest } from '../../client/schemas';
import { createGatewaySandbox, type GatewaySandbox } from '../../gateway-sandbox/server';
import { sandboxVault } from '../support/payment-harness';
import { freePort } from '../../scripts/lib/free-port';
import { main as reconcile } from '../../scripts/reconcile';
import type { PaymentResult } from '../../shared/payment-types';
import { describeFailures, startTestCluster, type TestCluster } from '../support/cluster';
import { TEST_DATA_CONVERTER } from '../support/encryption';
import { FAST_POLICY } from '../support/fast-policy';
import { addFault } from '../support/gateway-admin';
import { spawnWorker, type RealWorker } from '../support/real-worker';
import { eventually } from '../support/wait';

const PAYMENTS = 60;
const CALLERS = 6;
const taskQueue = `cluster-${randomUUID()}`;

let cluster: TestCluster;
let gateway: GatewaySandbox;
let vault: ReturnType<typeof sandboxVault>;
let connection: Connection;
let payments: PaymentsClient;
const workers: RealWorker[] = [];
const spawned: RealWorker[] = []; // the killed one too, for its temp dir
const metricsPorts: number[] = [];

function startWorker(index: number): RealWorker {
  const worker = spawnWorker(
    {
      TEMPORAL_ADDRESS: cluster.address,
      TEMPORAL_TASK_QUEUE: taskQueue,
      GATEWAY_URL: gateway.url,
      DATABASE_URL: cluster.auditDatabaseUrl,
      WORKER_METRICS_PORT: String(metricsPorts[index]),
    },
    { singleProcess: true },
  );
  workers[index] = worker;
  spawned.push(worker);
  return worker;
}

/** Payments this worker process finished, from its own endpoint (our counter, this test's task queue). */
async function succeededOn(index: number): Promise<number> {
  const text = await fetch(`http://127.0.0.1:${metricsPorts[index]}/metrics`).then((r) => r.text());
  return text
    .split('\n')
    .filter((l) => l.startsWith('payment_success_total{') && l.includes(`taskQueue="${taskQueue}"`))
    .reduce((sum, l) => sum + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
}

/** Until the worker's metrics endpoint answers (it is up once the worker has connected); fails if it dies. */
async function ready(index: number): Promise<void> {
  const deadline = Date.now() + 60_000;
  const worker = workers[index];
  for (;;) {
    const up = await fetch(`http://127.0.0.1:${metricsPorts[index]}/metrics`).then(
      (r) => r.ok,
      () => false,
    );
    if (up) return;
    if (Date.now() > deadline) throw new Error(`worker ${index} not ready:\n${worker.output()}`);
    await Promise.race([new Promise((r) => setTimeout(r, 250)), worker.died]);
  }
}

beforeAll(async () => {
  cluster = await startTestCluster();
  gateway = await createGatewaySandbox({ port: 0 });
  // Every charge takes a moment, so a worker killed under load has charges in flight.
  await addFault(gateway.url, { kind: 'latency', latencyMs: 150, probability: 1, match: { method: 'POST' } });
  metricsPorts.push(await freePort(), await freePort());
  startWorker(0);
  startWorker(1);
  await ready(0);
  await ready(1);
  connection = await Connection.connect({ address: cluster.address });
  const client = new Client({ connection, dataConverter: TEST_DATA_CONVERTER });
  vault = sandboxVault(gateway.url);
  payments = new PaymentsClient(client, {
    paymentMethods: vault,
    taskQueue,
    fingerprintSecret: 'cluster-test-secret',
    maxAmount: 1e8,
    policy: FAST_POLICY,
  });
}, 120_000);

afterAll(async () => {
  // Every cleanup runs, even when a worker had to be killed; then that failure is reported.
  const stopped = await Promise.allSettled(spawned.map((w) => w.stop()));
  await connection?.close();
  await vault?.close();
  await gateway?.close();
  await cluster?.stop();
  const failed = stopped.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}, 120_000);

/**
 * A start as a backend makes it: a run whose first audit write was under way on the killed worker claims its key
 * only once that task has timed out and run again on the survivor, which can take longer than the client waits.
 * That start is answered "pending, retry with the same key", so it is retried with the same key.
 */
async function startWithRetries(request: StartPaymentRequest): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    try {
      return (await payments.startPayment(request)).paymentId;
    } catch (err) {
      if (!isPaymentPending(err) || attempt >= 5) throw err;
    }
  }
}

it('two workers share the load, one is killed mid-load and restarted: every payment is charged once', async () => {
  const ids: string[] = [];
  const results = new Map<string, PaymentResult>();
  let next = 0;
  const caller = async () => {
    while (next < PAYMENTS) {
      const i = next++;
      const request: StartPaymentRequest = {
        idempotencyKey: `cluster-${taskQueue}-${i}`,
        amount: 1000 + i,
        currency: 'USD',
        paymentMethod: { type: 'card', number: '4242424242424242' },
      };
      const paymentId = await startWithRetries(request);
      ids.push(paymentId);
      results.set(paymentId, await payments.result(paymentId));
    }
  };
  const load = Promise.all(Array.from({ length: CALLERS }, caller));
  const survivor = workers[1];

  // Both processes finish payments before anything is killed.
  const shared = await eventually(
    async () => [await succeededOn(0), await succeededOn(1)],
    ([a, b]) => a > 0 && b > 0,
    60_000,
  );
  expect(shared[0]).toBeGreaterThan(0);
  expect(shared[1]).toBeGreaterThan(0);

  workers[0].process.kill('SIGKILL');
  const inFlightAtKill = ids.length - results.size;
  const doneAtKill = results.size;
  expect(inFlightAtKill).toBeGreaterThan(0);
  expect(doneAtKill).toBeLessThan(PAYMENTS);

  // The survivor carries on alone; the killed worker comes back later.
  await eventually(
    async () => results.size,
    (n) => n >= Math.min(PAYMENTS, doneAtKill + 10),
    60_000,
  );
  startWorker(0);
  await ready(0);
  await Promise.race([load, survivor.died]);

  expect(results.size).toBe(PAYMENTS);
  expect([...results.values()].every((r) => r.status === 'succeeded')).toBe(true);
  const ledger = (await fetch(`${gateway.url}/_sandbox/ledger`).then((r) => r.json())) as {
    charges: { status: string; metadata: Record<string, string> }[];
  };
  const perPayment = new Map<string, number>();
  for (const c of ledger.charges)
    perPayment.set(c.metadata.payment_id, (perPayment.get(c.metadata.payment_id) ?? 0) + 1);
  expect(ids.filter((id) => perPayment.get(id) !== 1)).toEqual([]);
  expect(ledger.charges).toHaveLength(PAYMENTS);
  expect(ledger.charges.every((c) => c.status === 'succeeded')).toBe(true);

  const out: string[] = [];
  const err: string[] = [];
  const code = await reconcile(
    [],
    { GATEWAY_URL: gateway.url, DATABASE_URL: cluster.auditDatabaseUrl },
    {
      out: (l) => out.push(l),
      err: (l) => err.push(l),
    },
  );
  expect({ code, out: out.join('\n'), err: err.join('\n') }).toEqual({
    code: 0,
    out: `clean; ${PAYMENTS} payments checked`,
    err: '',
  });
}, 240_000);

it('replays every workflow history the cluster holds against the current code', async () => {
  const report = await cluster.replay();
  expect(report.replayed).toBeGreaterThanOrEqual(PAYMENTS);
  expect(describeFailures(report)).toBe('');
}, 120_000);
