/** What every scenario shares: the stack, one client connection, the samplers, and the row format of results. */
import os from 'node:os';
import type { Client } from '@temporalio/client';
import type { PaymentsClient } from '../../client/payments-client';
import { paymentIdFromKey } from '../../client/payment-id';
import { gatewayChargeKey } from '../../shared/idempotency';
import type { PaymentPolicy, PaymentResult } from '../../shared/payment-types';
import type { ClientTiming } from './history';
import type { GatewayAdmin, LedgerCheck } from './ledger';
import type { LoopResult, Task } from './loops';
import { histogramDelta, histogramSumBy, scrape, type Series } from './metrics';
import type { BenchOptions } from './options';
import type { ProcSampler, ProcWindowStats } from './proc';
import type { Stack } from './stack';
import { summarize, type StepOutcome } from './stats';

export const CARD_OK = '4242424242424242';
export const CARD_3DS = '4000000000003220';

export interface BenchContext {
  o: BenchOptions;
  runId: string;
  stack: Stack;
  client: Client;
  /** Payments with production policy. */
  payments: PaymentsClient;
  paymentsWith(policy: Partial<PaymentPolicy>): PaymentsClient;
  admin: GatewayAdmin;
  sampler: ProcSampler;
  log(line: string): void;
}

/** A step's outcome (stats.ts; `rate` only for open-loop steps) plus what each row reports besides. */
export interface ResultRow extends Omit<StepOutcome, 'rate'> {
  scenario: string;
  load: string;
  procs: Record<string, ProcWindowStats>;
  /** CPU time per answered payment, per process (and `machine`: everything on the box, ours or not). */
  cpuMsPerPayment: Record<string, number>;
  /** cores × 1000 / (worker + server + gateway CPU ms per payment): the rate at which the system under test would use every core. */
  cpuCeilingPerSec?: number;
  ledger?: LedgerCheck;
  /** (worker + server) CPU per payment as a multiple of the floor scenario's, measured in the same run. */
  floor?: { ratio: number; floorLoad: string };
  outcomes: Record<string, number>;
  loadAvg: number[];
  held?: boolean;
  reason?: string;
  note?: string;
  errorSamples?: string[];
}

export function loadAvg(): number[] {
  return os.loadavg().map((n) => Math.round(n * 100) / 100);
}

/** Epoch milliseconds for a performance.now() reading, with sub-ms precision. */
export function epochMs(perfNow: number): number {
  return performance.timeOrigin + perfNow;
}

export function row(
  scenario: string,
  load: string,
  r: LoopResult,
  procs: Record<string, ProcWindowStats>,
  extra: Partial<ResultRow> = {},
): ResultRow {
  const perPayment: Record<string, number> = {};
  for (const [name, p] of Object.entries(procs)) {
    if (r.completed > 0) perPayment[name] = Math.round(((p.cpuSeconds * 1000) / r.completed) * 100) / 100;
  }
  const sut = (perPayment.worker ?? 0) + (perPayment.server ?? 0) + (perPayment.gateway ?? 0);
  return {
    scenario,
    load,
    cpuMsPerPayment: perPayment,
    ...(sut > 0 ? { cpuCeilingPerSec: Math.round((os.cpus().length * 1000) / sut) } : {}),
    offered: r.offered,
    completed: r.completed,
    errors: r.errors,
    shed: r.shed,
    throughputPerSec: r.throughputPerSec,
    latency: summarize(r.latency),
    procs,
    outcomes: r.outcomes,
    loadAvg: loadAvg(),
    ...(r.errorSamples.length ? { errorSamples: r.errorSamples } : {}),
    ...extra,
  };
}

export interface PaymentTaskOptions {
  scenario: string;
  card: string;
  client: PaymentsClient;
  /** Gateway key (`<paymentId>:v1`) → whether the payment's answer was `succeeded`: the ledger check's input. */
  keys: Map<string, boolean>;
  /** Keep client timings of every n-th payment for the history breakdown. */
  timings?: { every: number; into: ClientTiming[] };
}

/** The bound of a `start-wait` payment's wait: longer than any answer takes here, as an API caller's ?wait=60s. */
const START_WAIT_MS = 60_000;

export function paymentKey(ctx: BenchContext, scenario: string, index: number): string {
  return `bench-${ctx.runId}-${scenario}-${index}`;
}

/**
 * One payment, start to answer, through PaymentsClient: `pay` (one update-with-start call that waits for the
 * outcome), with `--client-call start-wait` startAndWait (the same, bounded: the API's ?wait), or with
 * `--client-call start-result` startPayment then result().
 */
export function paymentTask(ctx: BenchContext, p: PaymentTaskOptions): Task {
  return async (index, scheduledAt) => {
    const idempotencyKey = paymentKey(ctx, p.scenario, index);
    const paymentId = paymentIdFromKey(idempotencyKey);
    const gatewayKey = gatewayChargeKey(paymentId, 1, 0);
    p.keys.set(gatewayKey, false);
    const startCalledAt = performance.now();
    const request = {
      idempotencyKey,
      amount: 1999,
      currency: 'USD',
      paymentMethod: { type: 'card' as const, number: p.card },
      customerId: `bench-${ctx.runId}-${p.scenario}`,
    };
    let startReturnedAt: number;
    let result: PaymentResult;
    if (ctx.o.clientCall === 'pay') {
      result = (await p.client.pay(request)).result;
      startReturnedAt = performance.now(); // one call: the start returns with the answer
    } else if (ctx.o.clientCall === 'start-wait') {
      const answered = await p.client.startAndWait(request, { ms: START_WAIT_MS });
      startReturnedAt = performance.now();
      result = answered.result ?? (await p.client.result(paymentId)); // a wait that ran out (not expected here)
    } else {
      await p.client.startPayment(request);
      startReturnedAt = performance.now();
      result = await p.client.result(paymentId);
    }
    const answeredAt = performance.now();
    p.keys.set(gatewayKey, result.status === 'succeeded');
    if (p.timings && index % p.timings.every === 0) {
      p.timings.into.push({
        paymentId,
        intendedAt: epochMs(scheduledAt),
        startCalledAt: epochMs(startCalledAt),
        startReturnedAt: epochMs(startReturnedAt),
        answeredAt: epochMs(answeredAt),
      });
    }
    if (result.status === 'succeeded') return { ok: true, label: result.status };
    // Say why, e.g. "failed: dead_letter_window_expired"; the query is only made for the rare non-success.
    const reason = await p.client.getPayment(paymentId).then(
      (s) => s.reason,
      () => undefined,
    );
    return { ok: false, label: reason ? `${result.status}: ${reason}` : result.status };
  };
}

export interface MetricsSnapshot {
  worker: Series[];
  server: Series[];
}

export async function snapshotMetrics(ctx: BenchContext): Promise<MetricsSnapshot> {
  const [worker, server] = await Promise.all([scrape(ctx.stack.workerMetricsUrl), scrape(ctx.stack.serverMetricsUrl)]);
  return { worker, server };
}

/** Worker SDK histograms (seconds: worker.ts sets useSecondsForDurations) whose growth we report, and what each means. */
export const WORKER_HISTOGRAMS: Record<string, string> = {
  temporal_workflow_task_schedule_to_start_latency: 'workflow task waited in the task queue',
  temporal_workflow_task_execution_latency: 'workflow task ran on the worker (incl. local activities)',
  temporal_workflow_task_replay_latency: 'replay of an evicted workflow',
  temporal_activity_schedule_to_start_latency: 'activity waited in the task queue',
  temporal_activity_execution_latency: 'activity ran (gateway HTTP call)',
  temporal_local_activity_execution_latency: 'local activity ran (audit write)',
  temporal_local_activity_total_execution_latency: 'local activity incl. its retries',
  temporal_workflow_endtoend_latency: 'workflow start → close',
};

export interface MetricsDelta {
  worker: Record<string, { count: number; meanMs: number; p50Ms: number; p99Ms: number }>;
  server: {
    /** Sum of persistence call durations per payment (calls overlap while waiting for SQLite's one connection). */
    persistenceMsPerPayment: number;
    persistenceCallsPerPayment: number;
    topOperations: Array<{ operation: string; callsPerPayment: number; meanMs: number }>;
  };
}

export function metricsDelta(before: MetricsSnapshot, after: MetricsSnapshot, payments: number): MetricsDelta {
  const r2 = (n: number) => Math.round(n * 100) / 100;
  const worker: MetricsDelta['worker'] = {};
  for (const name of Object.keys(WORKER_HISTOGRAMS)) {
    const d = histogramDelta(before.worker, after.worker, name);
    if (d)
      worker[name] = { count: d.count, meanMs: r2(d.mean * 1000), p50Ms: r2(d.p50 * 1000), p99Ms: r2(d.p99 * 1000) };
  }
  const ops = histogramSumBy(before.server, after.server, 'persistence_latency', 'operation');
  const n = Math.max(1, payments);
  const all = Object.entries(ops).filter(([, v]) => v.count > 0);
  const totalSeconds = all.reduce((s, [, v]) => s + v.sum, 0);
  const totalCalls = all.reduce((s, [, v]) => s + v.count, 0);
  return {
    worker,
    server: {
      persistenceMsPerPayment: r2((totalSeconds * 1000) / n),
      persistenceCallsPerPayment: r2(totalCalls / n),
      topOperations: all
        .sort((a, b) => b[1].sum - a[1].sum)
        .slice(0, 8)
        .map(([operation, v]) => ({
          operation,
          callsPerPayment: r2(v.count / n),
          meanMs: r2((v.sum * 1000) / v.count),
        })),
    },
  };
}
