/**
 * The real worker process (`tsx worker.ts`, configured only by its environment) exports business metrics on
 * WORKER_METRICS_PORT next to the SDK's: payment status changes, charge attempts by outcome and decline class,
 * dispute status changes (the operators' alert). Scraped over HTTP after real payments and a real dispute.
 */
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { DisputesClient, type GatewayDispute } from '../../client/disputes-client';
import { PaymentsClient } from '../../client/payments-client';
import { createGatewaySandbox, type GatewaySandbox } from '../../gateway-sandbox/server';
import { sandboxVault } from '../support/payment-harness';
import { freePort } from '../../scripts/lib/free-port';
import { paymentWorkflowId } from '../../shared/ids';
import type { PaymentStatus } from '../../shared/payment-status';
import { TEST_DATA_CONVERTER } from '../support/encryption';
import { spawnWorker, type RealWorker } from '../support/real-worker';
import { eventually } from '../support/wait';

const taskQueue = `metrics-${randomUUID()}`;
let gateway: GatewaySandbox;
let vault: ReturnType<typeof sandboxVault>;
let worker: RealWorker;
let connection: Connection;
let payments: PaymentsClient;
let disputes: DisputesClient;
let metricsUrl: string;

beforeAll(async () => {
  gateway = await createGatewaySandbox({ port: 0 });
  const port = await freePort();
  metricsUrl = `http://127.0.0.1:${port}/metrics`;
  worker = spawnWorker({
    TEMPORAL_TASK_QUEUE: taskQueue,
    GATEWAY_URL: gateway.url,
    WORKER_METRICS_PORT: String(port),
    // No sticky cache: every workflow task replays the history from the start, so a metric emitted during
    // replay would be counted again and the exact counts below would fail.
    WORKER_MAX_CACHED_WORKFLOWS: '0',
  });
  connection = await Connection.connect({ address: process.env.TEMPORAL_ADDRESS });
  const client = new Client({ connection, dataConverter: TEST_DATA_CONVERTER });
  vault = sandboxVault(gateway.url);
  payments = new PaymentsClient(client, {
    taskQueue,
    fingerprintSecret: 'metrics-test-secret',
    maxAmount: 1e8,
    paymentMethods: vault,
    // As the API configures it: the worker's one gateway (GATEWAY_NAME unset: `sandbox`) is the payments' order.
    gateways: [{ name: 'sandbox', paymentMethods: vault }],
  });
  disputes = new DisputesClient(client, { taskQueue, policy: { submitMarginMs: 1_000 } });
}, 30_000);

afterAll(async () => {
  await worker?.stop();
  await connection?.close();
  await vault?.close();
  await gateway?.close();
});

async function pay(card: string) {
  const { paymentId } = await payments.startPayment({
    idempotencyKey: `metrics-${randomUUID()}`,
    amount: 2500,
    currency: 'USD',
    paymentMethod: { type: 'card', number: card },
  });
  return Promise.race([payments.result(paymentId), worker.died]);
}

/** Workflow tasks that failed or timed out in these payments' histories, as `paymentId: event type`. */
async function retriedTasks(paymentIds: string[]): Promise<string[]> {
  const client = new Client({ connection, dataConverter: TEST_DATA_CONVERTER });
  const found: string[] = [];
  for (const id of paymentIds) {
    const history = await client.workflow.getHandle(paymentWorkflowId(id)).fetchHistory();
    for (const e of history.events ?? []) {
      if (e.workflowTaskFailedEventAttributes)
        found.push(`${id}: WorkflowTaskFailed ${e.workflowTaskFailedEventAttributes.cause}`);
      if (e.workflowTaskTimedOutEventAttributes) found.push(`${id}: WorkflowTaskTimedOut`);
    }
  }
  return found;
}

/** The value of one series, matched by name and labels (our labels, not the SDK's). */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const ours = line.includes(`taskQueue="${taskQueue}"`);
    if (ours && Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) {
      return Number(line.slice(line.lastIndexOf(' ') + 1));
    }
  }
  return undefined;
}

const scrape = () => fetch(metricsUrl).then((r) => r.text());

it('counts status changes, charge attempts, refunds and dispute alerts, once each', async () => {
  const ok = await pay('4242424242424242');
  expect(ok.status).toBe('succeeded');
  const failed = await pay('4000000000009979');
  expect(failed.status).toBe('failed'); // stolen card: a fraud decline

  const refunded = await payments.refund(ok.paymentId, { requestKey: `metrics-refund-${randomUUID()}`, amount: 1000 });
  expect(refunded.status).toBe('succeeded');

  // The gateway opens a dispute on the succeeded charge; the webhook's part is played by the client here.
  const res = await fetch(`${gateway.url}/_sandbox/disputes`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ charge: ok.chargeId, reason: 'fraudulent', due_in_ms: 600_000 }),
  });
  const dispute = (await res.json()) as GatewayDispute;
  await disputes.openDispute(dispute);

  const text = await eventually(
    scrape,
    (t) => sample(t, 'dispute_status_transitions_total', { status: 'needs_response' }) !== undefined,
    20_000,
  );
  if (sample(text, 'dispute_status_transitions_total', { status: 'needs_response' }) === undefined) {
    throw new Error(`no dispute metric after 20 s; worker output:\n${worker.output()}\nmetrics:\n${text}`);
  }
  const status = (s: string) => sample(text, 'payment_status_transitions_total', { status: s });
  // Once each means as often as the runs themselves record it. On a loaded machine a charge can time out and be
  // retried (processing → pending_retry → processing): that is counted truly, so each count is held against the
  // runs' own status history and attempts rather than against a number that assumes no retry. A workflow task run
  // again live (failed, timed out) must not count twice either: counts come from the rows inserted.
  const runs = await Promise.all([ok, failed].map((p) => payments.getPayment(p.paymentId)));
  const recorded = (s: PaymentStatus) => runs.flatMap((r) => r.history).filter((c) => c.status === s).length;
  const attempts = runs.flatMap((r) => r.attempts);
  const tried = (outcome: string, declineClass = 'none') =>
    attempts.filter((a) => a.outcome === outcome && (a.declineClass ?? 'none') === declineClass).length;
  expect({ initiated: recorded('initiated'), succeeded: recorded('succeeded'), failed: recorded('failed') }).toEqual({
    initiated: 2,
    succeeded: 1,
    failed: 1,
  });
  const statuses: PaymentStatus[] = ['initiated', 'processing', 'pending_retry', 'succeeded', 'failed'];
  const counted = Object.fromEntries(statuses.map((s) => [s, status(s) ?? 0]));
  const truth = Object.fromEntries(statuses.map((s) => [s, recorded(s)]));
  const runsSeen = JSON.stringify({
    runs: runs.map((r) => ({ history: r.history, attempts: r.attempts })),
    retriedTasks: await retriedTasks([ok.paymentId, failed.paymentId]),
  });
  if (JSON.stringify(counted) !== JSON.stringify(truth)) {
    throw new Error(
      `status metrics ${JSON.stringify(counted)}, the runs recorded ${JSON.stringify(truth)}: ${runsSeen}`,
    );
  }
  expect(tried('succeeded')).toBe(1);
  expect(tried('declined', 'fraud')).toBe(1);
  for (const [outcome, declineClass] of [
    ['succeeded', 'none'],
    ['declined', 'fraud'],
    ['error', 'none'],
    ['unknown', 'none'],
  ]) {
    const labels = { outcome, decline_class: declineClass };
    expect(sample(text, 'payment_charge_attempts_total', labels) ?? 0).toBe(tried(outcome, declineClass));
  }
  expect(sample(text, 'dispute_status_transitions_total', { status: 'needs_response' })).toBe(1);
  // Seed 002's names: attempts and failures (by our decline code) per currency, successes, volume, chargebacks.
  // Each labelled with the gateway that was charged or tried (issue 17): the configured name.
  expect(sample(text, 'payment_attempts_total', { gateway: 'sandbox', currency: 'USD' })).toBe(attempts.length);
  expect(sample(text, 'payment_success_total', { gateway: 'sandbox', currency: 'USD' })).toBe(1);
  expect(
    sample(text, 'payment_failures_total', { gateway: 'sandbox', currency: 'USD', decline_code: 'stolen_card' }),
  ).toBe(1);
  expect(sample(text, 'payment_attempts_total', { gateway: 'default' })).toBeUndefined();
  expect(sample(text, 'payment_volume_minor_units_total', { currency: 'USD' })).toBe(2500);
  const retriedToSuccess = runs[0].attempts.length > 1 ? 1 : undefined; // 1 only if a retry came first (see above)
  expect(sample(text, 'payment_success_after_retry_total', { currency: 'USD' })).toBe(retriedToSuccess);
  expect(sample(text, 'payment_disputes_opened_total', {})).toBe(1);
  expect(sample(text, 'payment_refunds_total', { currency: 'USD' })).toBe(1);
  expect(sample(text, 'payment_refunded_minor_units_total', { currency: 'USD' })).toBe(1000);
  expect(status('partially_refunded')).toBe(1);
  // Start to answer, once per payment, in seed 002's buckets (seconds).
  expect(sample(text, 'payment_processing_seconds_count', { status: 'succeeded', gateway: 'sandbox' })).toBe(1);
  expect(sample(text, 'payment_processing_seconds_count', { status: 'failed', gateway: 'sandbox' })).toBe(1);
  expect(sample(text, 'payment_processing_seconds_bucket', { status: 'succeeded', le: '30' })).toBe(1);
  expect(sample(text, 'payment_processing_seconds_bucket', { status: 'succeeded', le: '0.5' })).toBeDefined();
  // The SDK's own metrics are on the same endpoint, and they show the workflows did replay (cache off).
  const replays = new RegExp(
    `^temporal_workflow_task_replay_latency_count\\{[^}]*task_queue="${taskQueue}"[^}]*\\} (\\d+)`,
    'm',
  );
  expect(Number(replays.exec(text)?.[1] ?? 0)).toBeGreaterThan(0);
  // Prometheus conventions for the SDK's own too: counters end in _total.
  expect(text).toMatch(/^temporal_workflow_completed_total\{/m);
  expect(text).not.toMatch(/^temporal_workflow_completed\{/m);
}, 40_000);

it('does not count again when a parked payment is read while out of the cache', async () => {
  // With the cache off, every read (a query) replays the run in a fresh sandbox. The last workflow task's code
  // runs again there; if a metric counted in it, each read would count the status it entered once more.
  const { paymentId } = await payments.startPayment({
    idempotencyKey: `metrics-3ds-${randomUUID()}`,
    amount: 1200,
    currency: 'EUR',
    paymentMethod: { type: 'card', number: '4000000000003220' },
  });
  await eventually(
    () => payments.getPayment(paymentId),
    (p) => p.status === 'requires_action',
    20_000,
  );
  for (let i = 0; i < 5; i += 1) await payments.getPayment(paymentId);
  const text = await scrape();
  const run = await payments.getPayment(paymentId);
  const entered = run.history.filter((c) => c.status === 'requires_action').length;
  expect(entered).toBe(1);
  expect(sample(text, 'payment_status_transitions_total', { status: 'requires_action' })).toBe(entered);
  const asked = run.attempts.filter((a) => a.outcome === 'requires_action').length;
  expect(sample(text, 'payment_charge_attempts_total', { outcome: 'requires_action' })).toBe(asked);
  await payments.cancel(paymentId, 'test over');
}, 40_000);

it('does not count again when a payment is read all through its processing', async () => {
  const before = await eventually(
    () => scrape().catch(() => ''),
    (t) => t.length > 0,
    20_000,
  );
  const count = (t: string, s: string) => sample(t, 'payment_status_transitions_total', { status: s }) ?? 0;
  const { paymentId } = await payments.startPayment({
    idempotencyKey: `metrics-reads-${randomUUID()}`,
    amount: 1300,
    currency: 'USD',
    paymentMethod: { type: 'card', number: '4242424242424242' },
  });
  let done = false;
  const reader = async () => {
    while (!done) await payments.getPayment(paymentId).catch(() => undefined);
  };
  const readers = Array.from({ length: 4 }, reader);
  const result = await payments.result(paymentId);
  done = true;
  await Promise.all(readers);
  expect(result.status).toBe('succeeded');
  const after = await scrape();
  const run = await payments.getPayment(paymentId);
  const seen = Object.fromEntries(
    ['initiated', 'processing', 'succeeded'].map((s) => [s, count(after, s) - count(before, s)]),
  );
  const truth = Object.fromEntries(
    ['initiated', 'processing', 'succeeded'].map((s) => [s, run.history.filter((c) => c.status === s).length]),
  );
  expect(seen).toEqual(truth);
}, 40_000);
