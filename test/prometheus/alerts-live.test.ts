/**
 * End to end: a real Prometheus (Debian's package) scrapes the real worker process every second and evaluates our
 * alert rules. The sandbox gateway declines every charge until PaymentFailureRateHigh is firing in Prometheus's
 * own /api/v1/alerts; successful payments afterwards resolve it; with the gateway answering 503 the worker's breaker
 * opens and GatewayCircuitBreakerOpen fires. The rules are alerts.yml with only their time
 * scale shortened (`for:` and range windows from minutes to seconds), so the expressions are the ones shipped.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import Fastify, { type FastifyInstance } from 'fastify';
import { registerApiMetrics } from '../../api/metrics';
import { DisputesClient, type GatewayDispute } from '../../client/disputes-client';
import { PaymentsClient } from '../../client/payments-client';
import { createGatewaySandbox, type GatewaySandbox } from '../../gateway-sandbox/server';
import { freePort } from '../../scripts/lib/free-port';
import { TEST_DATA_CONVERTER } from '../support/encryption';
import { spawnWorker, type RealWorker } from '../support/real-worker';
import { eventually } from '../support/wait';

const PROMETHEUS = process.env.PROMETHEUS_PATH ?? '/usr/bin/prometheus';
const RULES = path.resolve(__dirname, '../../prometheus/alerts.yml');
const taskQueue = `alerts-${randomUUID()}`;
let gateway: GatewaySandbox;
let worker: RealWorker;
let prometheus: ChildProcess;
let prometheusUrl: string;
let prometheusOutput = '';
let apiMetrics: FastifyInstance;
let dir: string;
let connection: Connection;
let payments: PaymentsClient;
let disputes: DisputesClient;

/** Minutes become seconds: `for: 5m` → `5s`, `[5m]` → `[5s]`; nothing else in the rules changes. */
function shortenTimeScale(rules: string): string {
  return rules.replace(/for: (\d+)m/g, 'for: $1s').replace(/\[(\d+)m\]/g, '[$1s]');
}

beforeAll(async () => {
  gateway = await createGatewaySandbox({ port: 0 });
  const [metricsPort, promPort, apiPort] = [await freePort(), await freePort(), await freePort()];
  // The API's exporter (api/metrics.ts) on a bare fastify: the dashboard's API panel needs its series.
  apiMetrics = Fastify();
  registerApiMetrics(apiMetrics);
  apiMetrics.get('/health', async () => ({ ok: true }));
  await apiMetrics.listen({ port: apiPort, host: '127.0.0.1' });
  await fetch(`http://127.0.0.1:${apiPort}/health`);
  worker = spawnWorker({
    TEMPORAL_TASK_QUEUE: taskQueue,
    GATEWAY_URL: gateway.url,
    WORKER_METRICS_PORT: String(metricsPort),
    // The breaker case below: a short break, so the payment it holds back finishes within the test.
    CIRCUIT_BREAKER_HALF_OPEN_AFTER_MS: '3000',
  });
  dir = mkdtempSync(path.join(os.tmpdir(), 'dp-prometheus-'));
  writeFileSync(path.join(dir, 'alerts.yml'), shortenTimeScale(readFileSync(RULES, 'utf8')));
  writeFileSync(
    path.join(dir, 'prometheus.yml'),
    [
      'global: { scrape_interval: 1s, evaluation_interval: 1s }',
      'rule_files: [alerts.yml]',
      'scrape_configs:',
      `  - { job_name: payments-worker, static_configs: [{ targets: ['127.0.0.1:${metricsPort}'] }] }`,
      `  - { job_name: payments-api, static_configs: [{ targets: ['127.0.0.1:${apiPort}'] }] }`,
    ].join('\n'),
  );
  prometheusUrl = `http://127.0.0.1:${promPort}`;
  prometheus = spawn(
    PROMETHEUS,
    [
      `--config.file=${path.join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${promPort}`,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  prometheus.stderr?.on('data', (d: Buffer) => (prometheusOutput += d.toString()));
  connection = await Connection.connect({ address: process.env.TEMPORAL_ADDRESS });
  const client = new Client({ connection, dataConverter: TEST_DATA_CONVERTER });
  payments = new PaymentsClient(client, { taskQueue, fingerprintSecret: 'alerts-test-secret', maxAmount: 1e8 });
  disputes = new DisputesClient(client, { taskQueue, policy: { submitMarginMs: 1_000 } });
}, 30_000);

afterAll(async () => {
  prometheus?.kill('SIGTERM');
  await apiMetrics?.close();
  await worker?.stop();
  await connection?.close();
  await gateway?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface AlertsAnswer {
  data: { alerts: { labels: { alertname: string }; state: string }[] };
}

async function alertState(alertname: string): Promise<string> {
  const answer = (await (await fetch(`${prometheusUrl}/api/v1/alerts`)).json()) as AlertsAnswer;
  return answer.data.alerts.find((a) => a.labels.alertname === alertname)?.state ?? 'inactive';
}

const failureAlertState = () => alertState('PaymentFailureRateHigh');

async function pay(card: string): Promise<string> {
  const { paymentId } = await payments.startPayment({
    idempotencyKey: `alerts-${randomUUID()}`,
    amount: 1200,
    currency: 'EUR',
    paymentMethod: { type: 'card', number: card },
  });
  return (await Promise.race([payments.result(paymentId), worker.died])).status;
}

/** Pays with `card` until the failure alert is in `state` (or the deadline passes), one payment at a time. */
async function payUntil(card: string, state: string, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let paid = 0;
  while (Date.now() < deadline) {
    await pay(card);
    paid += 1;
    if ((await failureAlertState()) === state) return paid;
  }
  throw new Error(
    `PaymentFailureRateHigh not ${state} after ${paid} payments; worker:\n${worker.output()}\nprometheus:\n${prometheusOutput}`,
  );
}

it('the failure-rate alert fires in Prometheus while the gateway declines, and resolves after', async () => {
  // Prometheus is up and scraping the worker before anything is paid.
  await eventually(
    async () => {
      const r = await fetch(`${prometheusUrl}/api/v1/query?query=up{job="payments-worker"}`).catch(() => undefined);
      return r?.ok ? ((await r.json()) as { data: { result: { value: [number, string] }[] } }) : undefined;
    },
    (a) => a?.data.result[0]?.value[1] === '1',
    60_000,
  );
  expect(await failureAlertState()).toBe('inactive');
  expect(await pay('4242424242424242')).toBe('succeeded');

  const declines = await payUntil('4000000000009979', 'firing', 60_000); // stolen card: declined at once
  expect(declines).toBeGreaterThan(0);
  const rate = await fetch(
    `${prometheusUrl}/api/v1/query?query=${encodeURIComponent('sum(rate(payment_failures_total[5s])) / sum(rate(payment_attempts_total[5s]))')}`,
  ).then((r) => r.json() as Promise<{ data: { result: { value: [number, string] }[] } }>);
  expect(Number(rate.data.result[0]?.value[1])).toBeGreaterThan(0.1);

  await payUntil('4242424242424242', 'inactive', 60_000);
}, 240_000);

it('the breaker alert fires while the gateway answers 503 and the worker holds charges back', async () => {
  expect(await alertState('GatewayCircuitBreakerOpen')).toBe('inactive');
  const fault = await fetch(`${gateway.url}/_sandbox/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ kind: 'status', status: 503, probability: 1 }),
  });
  expect(fault.status).toBe(201);
  // Quick retries, so the five failures that open the breaker come within a second or two.
  const fast = new PaymentsClient(new Client({ connection, dataConverter: TEST_DATA_CONVERTER }), {
    taskQueue,
    fingerprintSecret: 'alerts-test-secret',
    maxAmount: 1e8,
    policy: {
      gatewayRetry: { initialIntervalMs: 100, maximumIntervalMs: 1_000, backoffCoefficient: 2, maximumAttempts: 20 },
    },
  });
  const { paymentId } = await fast.startPayment({
    idempotencyKey: `alerts-${randomUUID()}`,
    amount: 1200,
    currency: 'EUR',
    paymentMethod: { type: 'card', number: '4242424242424242' },
  });
  const state = await eventually(
    () => alertState('GatewayCircuitBreakerOpen'),
    (s) => s === 'firing',
    30_000,
  );
  expect(state).toBe('firing');
  await fetch(`${gateway.url}/_sandbox/faults`, { method: 'DELETE' });
  // The break ends, the trial succeeds, and the payment that was held back charges.
  expect((await Promise.race([fast.result(paymentId), worker.died])).status).toBe('succeeded');
}, 60_000);

interface Dashboard {
  panels: { title: string; targets: { expr: string }[] }[];
}
interface QueryAnswer {
  status: string;
  error?: string;
  data?: { result: unknown[] };
}

/** Every metric name an expression reads: in our dashboard each is followed by its `{labels}` or `[range]`. */
function metricNames(expr: string): string[] {
  const withoutLabels = expr.replace(/\{[^}]*\}/g, '{}');
  return [...new Set(withoutLabels.match(/[a-zA-Z_:][a-zA-Z0-9_:]*(?=[{[])/g) ?? [])];
}

/** The rest of what the dashboard shows: a success after a retry (expired card, then a new one) and a dispute. */
async function theRestOfADay(): Promise<void> {
  const { paymentId } = await payments.startPayment({
    idempotencyKey: `alerts-${randomUUID()}`,
    amount: 900,
    currency: 'EUR',
    paymentMethod: { type: 'card', number: '4000000000000069' }, // expired: awaits a new card
  });
  await eventually(
    () => payments.getPayment(paymentId),
    (p) => p.status === 'awaiting_payment_method',
  );
  await payments.replaceCard(paymentId, { type: 'card', number: '4242424242424242' });
  const paid = await payments.result(paymentId);
  expect(paid).toMatchObject({ status: 'succeeded', attempts: 2 });
  const res = await fetch(`${gateway.url}/_sandbox/disputes`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ charge: paid.chargeId, reason: 'fraudulent', due_in_ms: 600_000 }),
  });
  await disputes.openDispute((await res.json()) as GatewayDispute);
}

it("every dashboard panel's PromQL runs against this Prometheus, on series that exist", async () => {
  await theRestOfADay();
  await eventually(
    async () =>
      ((await (await fetch(`${prometheusUrl}/api/v1/label/__name__/values`)).json()) as { data: string[] }).data,
    (names) => names.includes('payment_disputes_opened_total'),
    20_000,
  );
  const dashboard = JSON.parse(
    readFileSync(path.resolve(__dirname, '../../grafana/dashboards/payments.json'), 'utf8'),
  ) as Dashboard;
  const names = (await (await fetch(`${prometheusUrl}/api/v1/label/__name__/values`)).json()) as { data: string[] };
  const problems: string[] = [];
  for (const panel of dashboard.panels) {
    for (const { expr } of panel.targets) {
      const query = expr.replace(/\$__rate_interval/g, '10s');
      const answer = (await (
        await fetch(`${prometheusUrl}/api/v1/query?query=${encodeURIComponent(query)}`)
      ).json()) as QueryAnswer;
      if (answer.status !== 'success') problems.push(`${panel.title}: ${answer.error}`);
      const used = metricNames(expr);
      if (used.length === 0) problems.push(`${panel.title}: reads no metric (${expr})`);
      for (const name of used) if (!names.data.includes(name)) problems.push(`${panel.title}: no series ${name}`);
    }
  }
  expect(problems).toEqual([]);
  expect(dashboard.panels.length).toBeGreaterThanOrEqual(10);
}, 60_000);
