/**
 * Scenario 3, faults: the gateway answers a share of charge requests (POST /v1/charges) with 503 and commits
 * another share but drops the connection before answering (the ambiguous outcome). Open loop at a fixed rate.
 * Production payment policy except `deadLetterWindowMs` (10 s instead of 14 days): a payment whose five
 * gateway attempts all hit a 503 (0.2^5 ≈ 1 in 3,000) is dead-lettered, and without the short window it
 * would wait two weeks for an operator instead of answering `failed` within the run.
 */
import {
  CARD_OK,
  metricsDelta,
  paymentTask,
  row,
  snapshotMetrics,
  type BenchContext,
  type ResultRow,
} from '../lib/context';
import { historyBreakdown, type ClientTiming } from '../lib/history';
import { checkLedger, type GatewayAdmin } from '../lib/ledger';
import { openLoop } from '../lib/loops';
import type { StepDetail } from './happy';

export const FAULT_POLICY = { deadLetterWindowMs: 10_000 };

/**
 * Faults are tried in order and the first whose probability draw hits is applied, so the drop's probability is
 * conditional on the 503 not having fired: p(drop) / (1 - p(503)) gives the intended overall share.
 */
export function faultSpecs(p503: number, pDrop: number): Array<Record<string, unknown>> {
  const match = { method: 'POST', path: '/v1/charges' };
  const specs: Array<Record<string, unknown>> = [];
  if (p503 > 0) specs.push({ kind: 'status', status: 503, probability: p503, match });
  if (pDrop > 0) specs.push({ kind: 'commit_then_drop', probability: Math.min(1, pDrop / (1 - p503)), match });
  return specs;
}

export async function installFaults(admin: GatewayAdmin, p503: number, pDrop: number): Promise<void> {
  await admin.clearFaults();
  for (const spec of faultSpecs(p503, pDrop)) await admin.addFault(spec);
}

export async function faultHits(admin: GatewayAdmin): Promise<Record<string, number>> {
  const hits: Record<string, number> = {};
  for (const f of await admin.faults()) hits[f.kind] = (hits[f.kind] ?? 0) + f.hits;
  return hits;
}

export async function faultsScenario(ctx: BenchContext): Promise<{ rows: ResultRow[]; details: StepDetail[] }> {
  const { faultRate: rate, faultSeconds: seconds, fault503, faultDrop } = ctx.o;
  const load = `${rate}/s × ${seconds}s, ${Math.round(fault503 * 100)}% 503 + ${Math.round(faultDrop * 100)}% drop`;
  ctx.log(`faults: ${load}`);
  const keys = new Map<string, boolean>();
  const timings: ClientTiming[] = [];
  const every = Math.max(1, Math.floor((rate * seconds) / Math.max(1, ctx.o.breakdownSample)));
  const task = paymentTask(ctx, {
    scenario: 'faults',
    card: CARD_OK,
    client: ctx.paymentsWith(FAULT_POLICY),
    keys,
    timings: ctx.o.breakdownSample > 0 ? { every, into: timings } : undefined,
  });
  await installFaults(ctx.admin, fault503, faultDrop);
  const before = await snapshotMetrics(ctx);
  const window = ctx.sampler.window();
  let result;
  let hits: Record<string, number>;
  try {
    result = await openLoop({
      ratePerSec: rate,
      durationMs: seconds * 1000,
      maxInFlight: ctx.o.maxInFlight,
      // Retries back off 1, 2, 4, 8 s: allow for the slowest payment on top of the usual drain time.
      drainTimeoutMs: Math.max(ctx.o.drainTimeoutSeconds * 1000, 45_000),
      task,
    });
  } finally {
    hits = await faultHits(ctx.admin);
    await ctx.admin.clearFaults();
  }
  const procs = window.end();
  const after = await snapshotMetrics(ctx);
  const ledger = checkLedger(await ctx.admin.ledger(), keys);
  const breakdown = await historyBreakdown(ctx.client, timings.slice(0, ctx.o.breakdownSample));
  const note = `faults fired: ${Object.entries(hits)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ')}; policy deadLetterWindowMs=10s`;
  const r = row('faults', load, result, procs, { ledger, note });
  ctx.log(`  → ${r.completed}/${r.offered} succeeded, ${r.errors} not, duplicates ${ledger.duplicates}; ${note}`);
  return { rows: [r], details: [{ load, breakdown, metrics: metricsDelta(before, after, result.completed) }] };
}
