/**
 * Scenario `outage` (issue 16): two sandbox gateways, primary and secondary (failover through GATEWAYS), an open
 * loop at a fixed rate, and mid-run the primary answers 503 to every charge (POST /v1/charges) for the outage
 * window. Proof, from the gateways themselves: charges per payment across both ledgers (exactly one per succeeded
 * payment), the requests that still reached the dead primary during the window (its request log), and how many
 * payments the secondary took. `--outage-resilience off` runs the same with breaker and budget out of reach.
 * Policy: production, except deadLetterWindowMs=10s (as in faults) so nothing waits two weeks for an operator.
 */
import type { Histogram } from 'hdr-histogram-js';
import { CARD_OK, paymentTask, row, type BenchContext, type ResultRow } from '../lib/context';
import { checkLedgerAcross, GatewayAdmin, paymentsCharged, type GatewayRequest, type LedgerCheck } from '../lib/ledger';
import { openLoop, type Task } from '../lib/loops';
import { newLatencyHistogram, recordMs, summarize, type LatencySummary } from '../lib/stats';
import { FAULT_POLICY } from './faults';

export const OUTAGE_FAULT = {
  kind: 'status',
  status: 503,
  probability: 1,
  match: { method: 'POST', path: '/v1/charges' },
};

export type Phase = 'before' | 'during' | 'after';

export interface OutageStats {
  resilience: 'on' | 'on (custom env)' | 'off';
  /** When the outage window opened and closed, in ms from the run's first arrival. */
  windowMs: { from: number; to: number };
  /** Requests the primary received while it was down: charge attempts (all answered 503) and everything else. */
  primaryDuringOutage: { charges: number; other: number; chargeRequestsPerSec: number };
  /** Charge attempts on the primary in the whole run (successful or not), and after the window closed. */
  primaryCharges: { total: number; afterOutage: number };
  /** Payments of the run with a charge in each ledger. */
  chargedOn: { primary: number; secondary: number };
  /** Charges per payment across both ledgers. */
  ledger: LedgerCheck;
  /** Start-to-answer latency of the succeeded payments, by when they were scheduled to start. */
  latencyByPhase: Record<Phase, LatencySummary>;
  /** Charge attempts the injected 503 answered (the sandbox's own count, read before the fault is removed). */
  faultHits: number;
}

/** Which phase a payment scheduled at `offsetMs` (from the first arrival) belongs to. Pure. */
export function phaseOf(offsetMs: number, window: { from: number; to: number }): Phase {
  if (offsetMs < window.from) return 'before';
  return offsetMs < window.to ? 'during' : 'after';
}

/** Requests in [from, to) (epoch ms), split into charge attempts (POST /v1/charges) and the rest. Pure. */
export function requestsIn(requests: readonly GatewayRequest[], from: number, to: number) {
  const inWindow = requests.filter((r) => r.at >= from && r.at < to);
  const charges = inWindow.filter(isChargeAttempt).length;
  return { charges, other: inWindow.length - charges };
}

const isChargeAttempt = (r: GatewayRequest) => r.method === 'POST' && r.path === '/v1/charges';

function resilienceLabel(ctx: BenchContext): OutageStats['resilience'] {
  if (ctx.o.outageResilience === 'off') return 'off';
  const custom = Object.keys(ctx.o.workerEnv).some((k) => /^(CIRCUIT_BREAKER_|RETRY_BUDGET_)/.test(k));
  return custom ? 'on (custom env)' : 'on';
}

/** The task, with each succeeded payment's latency also recorded under its phase. */
function phased(task: Task, t0: () => number, window: { from: number; to: number }, into: Record<Phase, Histogram>) {
  return async (index: number, scheduledAt: number) => {
    const outcome = await task(index, scheduledAt);
    if (outcome.ok) recordMs(into[phaseOf(scheduledAt - t0(), window)], performance.now() - scheduledAt);
    return outcome;
  };
}

export async function outageScenario(ctx: BenchContext): Promise<{ rows: ResultRow[]; outage: OutageStats }> {
  const secondaryUrl = ctx.stack.secondaryGatewayUrl;
  if (!secondaryUrl) throw new Error('outage: the stack has no secondary gateway');
  const primary = ctx.admin;
  const secondary = new GatewayAdmin(secondaryUrl);
  const { outageRate: rate, outageSeconds, outageRunSeconds } = ctx.o;
  const from = ((outageRunSeconds - outageSeconds) / 2) * 1000;
  const window = { from, to: from + outageSeconds * 1000 };
  const resilience = resilienceLabel(ctx);
  const load = `${rate}/s × ${outageRunSeconds}s, primary 503 for ${outageSeconds}s from ${from / 1000}s, breaker+budget ${resilience}`;
  ctx.log(`outage: ${load}`);
  await primary.clearFaults();
  await secondary.clearFaults();

  const keys = new Map<string, boolean>();
  const byPhase: Record<Phase, Histogram> = {
    before: newLatencyHistogram(),
    during: newLatencyHistogram(),
    after: newLatencyHistogram(),
  };
  let t0 = 0;
  const base = paymentTask(ctx, { scenario: 'outage', card: CARD_OK, client: ctx.paymentsWith(FAULT_POLICY), keys });
  const task = phased(base, () => t0, window, byPhase);

  // The fault goes in and out on timers relative to the loop's first arrival; the epoch times bound the request count.
  const epoch = { down: 0, up: 0 };
  let faultHits = 0;
  const hitsSoFar = async () => (await primary.faults()).reduce((s, f) => s + f.hits, 0);
  const timers: NodeJS.Timeout[] = [];
  let timerError: unknown;
  const onTimer = (fn: () => Promise<void>) => () => void fn().catch((err: unknown) => (timerError ??= err));
  const procWindow = ctx.sampler.window();
  let result;
  try {
    t0 = performance.now();
    timers.push(
      setTimeout(
        onTimer(async () => {
          epoch.down = Date.now();
          await primary.addFault(OUTAGE_FAULT);
          ctx.log(`  primary down at ${((performance.now() - t0) / 1000).toFixed(1)} s`);
        }),
        window.from,
      ),
      setTimeout(
        onTimer(async () => {
          faultHits = await hitsSoFar();
          await primary.clearFaults();
          epoch.up = Date.now();
          ctx.log(`  primary up at ${((performance.now() - t0) / 1000).toFixed(1)} s`);
        }),
        window.to,
      ),
    );
    result = await openLoop({
      ratePerSec: rate,
      durationMs: outageRunSeconds * 1000,
      maxInFlight: ctx.o.maxInFlight,
      // Retries back off and an open breaker defers: allow for the slowest payment on top of the usual drain.
      drainTimeoutMs: Math.max(ctx.o.drainTimeoutSeconds * 1000, 90_000),
      task,
    });
  } finally {
    timers.forEach(clearTimeout);
  }
  if (!epoch.up) faultHits = await hitsSoFar();
  await primary.clearFaults();
  if (timerError) throw timerError;
  if (!epoch.down || !epoch.up) throw new Error('outage: the outage window did not both open and close within the run');
  const procs = procWindow.end();

  const payments = new Map([...keys].map(([key, ok]) => [key.replace(/:v1$/, ''), ok]));
  const [primaryLedger, secondaryLedger, requests] = await Promise.all([
    primary.ledger(),
    secondary.ledger(),
    primary.requests(),
  ]);
  // Every key of a payment starts with its id (`<paymentId>:v1…`, shared/idempotency.ts); unkeyed requests count too.
  const mine = (r: GatewayRequest) => r.idempotencyKey === undefined || payments.has(r.idempotencyKey.split(':')[0]);
  const runRequests = requests.filter(mine);
  const during = requestsIn(runRequests, epoch.down, epoch.up);
  const outage: OutageStats = {
    resilience,
    windowMs: window,
    primaryDuringOutage: {
      ...during,
      chargeRequestsPerSec: Math.round((during.charges / ((epoch.up - epoch.down) / 1000)) * 10) / 10,
    },
    primaryCharges: {
      total: runRequests.filter(isChargeAttempt).length,
      afterOutage: requestsIn(runRequests, epoch.up, Infinity).charges,
    },
    chargedOn: {
      primary: paymentsCharged(primaryLedger, payments),
      secondary: paymentsCharged(secondaryLedger, payments),
    },
    ledger: checkLedgerAcross([primaryLedger, secondaryLedger], payments),
    latencyByPhase: {
      before: summarize(byPhase.before),
      during: summarize(byPhase.during),
      after: summarize(byPhase.after),
    },
    faultHits,
  };
  const note =
    `primary got ${during.charges} charge attempts (${outage.primaryDuringOutage.chargeRequestsPerSec}/s) and ` +
    `${during.other} other requests while down; ${outage.chargedOn.secondary} payments charged on the secondary, ` +
    `${outage.chargedOn.primary} on the primary; breaker+budget ${resilience}`;
  const r = row('outage', load, result, procs, { ledger: outage.ledger, note });
  ctx.log(
    `  → ${r.completed}/${r.offered} succeeded, ${r.errors} not, duplicates ${outage.ledger.duplicates}; ${note}`,
  );
  return { rows: [r], outage };
}
