/**
 * Scenario 4, parked payments: N payments with the sandbox's 3DS card wait in `requires_action` for the
 * threeDSCompleted signal (production policy but for a 3 h 3DS timeout, below). We measure worker and server memory at rest
 * with all N parked, record each customer's successful challenge at the gateway (`POST /_sandbox/3ds/:chargeId`,
 * untimed; the confirm call checks it), then signal them all (PaymentsClient.complete3DS, the direct signal,
 * so the workflow side is what is measured) and time the drain
 * until every payment's status is `succeeded`, then read a sample of the answers with PaymentsClient.result().
 * The worker is restarted before the first round so its memory reflects this scenario, not earlier ones.
 *
 * Policy: production, except a 3 h 3DS timeout instead of 15 min: parking 10,000 takes 6 min on a quiet box
 * but 18 min at the ≈ 9 starts/s of a busy one, and 50,000 take ≈ 30 min even at ≈ 30/s, so with production's
 * timeout the first payments would time out before the last one is parked and the signals go out. The timer's
 * length changes neither memory nor the drain.
 */
import { statSync } from 'node:fs';
import { paymentIdFromKey } from '../../client/payment-id';
import { gatewayChargeKey } from '../../shared/idempotency';
import { paymentWorkflowId } from '../../shared/ids';
import { CARD_3DS, loadAvg, paymentKey, type BenchContext } from '../lib/context';
import { DEFAULT_PAYMENT_POLICY } from '../../shared/payment-policy';
import { checkLedger, type LedgerCheck } from '../lib/ledger';
import { forEachLimited } from '../lib/loops';
import type { ProcWindowStats } from '../lib/proc';

/** The dev server's SQLite file, MiB: the database itself and its write-ahead log. */
export interface SqliteSize {
  dbMiB: number;
  walMiB: number;
}

export interface ParkedRound {
  parked: number;
  /** The policy's 3DS timeout for this round. */
  threeDSTimeoutMs: number;
  /** Time to start all N and see every one in requires_action. */
  parkSeconds: number;
  startFailures: number;
  /** CPU and RSS while starting and parking all N. */
  parkProcs: Record<string, ProcWindowStats>;
  rest: {
    workerRssMiB: number;
    serverRssMiB: number;
    /** Before the first payment of the round was started. */
    workerRssBeforeMiB: number;
    serverRssBeforeMiB: number;
    /** CPU over the settle period with everything parked. */
    procs: Record<string, ProcWindowStats>;
  };
  /** With all N parked (at rest), and after the drain and the answers read back; absent for an in-memory server. */
  sqlite?: { rest: SqliteSize; end: SqliteSize };
  signalSeconds: number;
  signalFailures: number;
  /** From the first signal to the last payment seen `succeeded`. */
  drainSeconds: number;
  /** Payments succeeded when the drain ended (N, unless the drain was cut short). */
  drainedCount: number;
  /** drainedCount over drainSeconds: the rate the drain ran at, also when it was cut short. */
  drainedPerSec: number;
  drainProcs: Record<string, ProcWindowStats>;
  /** From the first start to the end of the ledger check: the round's peak RSS per process. */
  roundProcs: Record<string, ProcWindowStats>;
  answers: Record<string, number>;
  ledger: LedgerCheck;
  loadAvg: number[];
  timedOut?: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Answers read back with PaymentsClient.result() after the drain. */
const ANSWER_SAMPLE = 500;
/** Long enough for any round to park and be signalled before the first payment's 3DS timer fires. */
const THREE_DS_TIMEOUT_MS = 3 * 60 * 60_000;
/** Parking and draining may each take this long per payment before the round gives up (≈ 8/s, a quarter of the stack's rate). */
const MS_PER_PAYMENT_LIMIT = 120;

const MiB = 1024 * 1024;
function fileMiB(file: string): number {
  try {
    return Math.round((statSync(file).size / MiB) * 10) / 10;
  } catch {
    return 0; // no -wal file (yet)
  }
}
function sqliteSize(dbFile: string): SqliteSize {
  return { dbMiB: fileMiB(dbFile), walMiB: fileMiB(`${dbFile}-wal`) };
}

async function waitForCount(
  ctx: BenchContext,
  query: string,
  target: number,
  timeoutMs: number,
  intervalMs: number,
): Promise<{ reached: boolean; count: number }> {
  const deadline = Date.now() + timeoutMs;
  let last = -1;
  let lastChange = Date.now();
  while (Date.now() < deadline) {
    const { count } = await ctx.client.workflow.count(query);
    if (count >= target) return { reached: true, count };
    if (count !== last) {
      last = count;
      lastChange = Date.now();
    } else if (Date.now() - lastChange > 60_000) {
      return { reached: false, count }; // no progress for a minute
    }
    await sleep(intervalMs);
  }
  return { reached: false, count: last };
}

export async function parkedScenario(ctx: BenchContext): Promise<ParkedRound[]> {
  ctx.log('parked: restarting the worker for a clean memory baseline');
  await ctx.stack.restartWorker();
  ctx.sampler.track('worker', ctx.stack.pids().worker);
  await sleep(2000);
  const rounds: ParkedRound[] = [];
  for (const [round, n] of ctx.o.parked.entries()) rounds.push(await parkRound(ctx, round, n));
  return rounds;
}

async function parkRound(ctx: BenchContext, round: number, n: number): Promise<ParkedRound> {
  const scenario = `parked${round}`;
  const customerId = `bench-${ctx.runId}-${scenario}`;
  const ids = Array.from({ length: n }, (_, i) => paymentIdFromKey(paymentKey(ctx, scenario, i)));
  const workerRssBeforeMiB = ctx.sampler.rssMiB('worker');
  const serverRssBeforeMiB = ctx.sampler.rssMiB('server');
  const quick = ctx.o.quick;
  const threeDSTimeoutMs = Math.max(THREE_DS_TIMEOUT_MS, DEFAULT_PAYMENT_POLICY.threeDSTimeoutMs);
  const payments = ctx.paymentsWith({ threeDSTimeoutMs });
  const limitMs = (floorMs: number) => Math.max(floorMs, n * MS_PER_PAYMENT_LIMIT);

  ctx.log(`parked: starting ${n} 3DS payments (3DS timeout ${threeDSTimeoutMs / 60_000} min)`);
  const roundWindow = ctx.sampler.window();
  const parkWindow = ctx.sampler.window();
  const t0 = performance.now();
  const started = await forEachLimited(n, 50, async (i) => {
    await payments.startPayment({
      idempotencyKey: paymentKey(ctx, scenario, i),
      amount: 1999,
      currency: 'USD',
      paymentMethod: { type: 'card', number: CARD_3DS },
      customerId,
    });
  });
  const base = `CustomerId = '${customerId}'`;
  const { reached: parkedOk } = await waitForCount(
    ctx,
    `${base} AND PaymentStatus = 'requires_action'`,
    n - started.failures,
    limitMs(15 * 60_000),
    1000,
  );
  const parkSeconds = (performance.now() - t0) / 1000;
  const parkProcs = parkWindow.end();
  const firstFailure = started.failures ? `; the first: ${started.firstError}` : '';
  ctx.log(`  ${n} parked in ${parkSeconds.toFixed(1)} s (${started.failures} start failures${firstFailure})`);

  const restWindow = ctx.sampler.window();
  await sleep(quick ? 2000 : 10_000);
  const restProcs = restWindow.end();
  const rest = {
    workerRssMiB: restProcs.worker?.rssEndMiB ?? 0,
    serverRssMiB: restProcs.server?.rssEndMiB ?? 0,
    workerRssBeforeMiB,
    serverRssBeforeMiB,
    procs: restProcs,
  };
  const dbFile = ctx.stack.dbFile;
  const sqliteRest = dbFile ? sqliteSize(dbFile) : undefined;
  ctx.log(
    `  at rest: worker ${rest.workerRssMiB} MiB (before ${workerRssBeforeMiB}), server ${rest.serverRssMiB} MiB` +
      (sqliteRest ? `; SQLite ${sqliteRest.dbMiB} MiB + WAL ${sqliteRest.walMiB} MiB` : ''),
  );

  // The customer passes the challenge at the gateway first (no webhook is configured, so nothing reaches the
  // workflow from there); the gateway's confirm checks this answer. Not timed: it is the customer's part.
  const idSet = new Set(ids);
  const challenges = (await ctx.admin.ledger('requires_action')).filter((c) => idSet.has(c.metadata?.payment_id ?? ''));
  const customer = await forEachLimited(challenges.length, 50, (i) =>
    ctx.admin.customer3DS(challenges[i].id, 'succeeded'),
  );
  if (challenges.length !== n || customer.failures) {
    ctx.log(
      `  ${challenges.length} challenges found at the gateway, ${customer.failures} not accepted (${customer.firstError})`,
    );
  }

  const drainWindow = ctx.sampler.window();
  const s0 = performance.now();
  const signalled = await forEachLimited(n, 100, async (i) => {
    await payments.complete3DS(ids[i], { result: 'succeeded' });
  });
  const signalSeconds = (performance.now() - s0) / 1000;
  const { reached: drained, count: succeededCount } = await waitForCount(
    ctx,
    `${base} AND PaymentStatus = 'succeeded'`,
    n,
    ctx.o.parkedDrainSeconds ? ctx.o.parkedDrainSeconds * 1000 : limitMs(10 * 60_000),
    250,
  );
  const drainSeconds = (performance.now() - s0) / 1000;
  const drainProcs = drainWindow.end();
  ctx.log(
    `  signalled in ${signalSeconds.toFixed(1)} s; ${drained ? 'all' : succeededCount} succeeded ` +
      `${drainSeconds.toFixed(1)} s after the first signal`,
  );

  // Every payment's status is known from visibility; the answer itself (PaymentsClient.result(), an Update on
  // the open payment, so a workflow task each and a replay for every evicted one) is read for a sample, so
  // that checking 10,000 answers does not take longer than the drain it follows.
  // A drain cut short (--parked-drain-seconds) samples only payments that succeeded: result() on one still
  // waiting would wait for it. When some did not succeed, list which did, so that the ledger check counts a
  // duplicate charge on any of them still.
  const succeeded = succeededCount === n ? undefined : await succeededIds(ctx, base);
  const answered = succeeded ? ids.filter((id) => succeeded.has(paymentWorkflowId(id))) : ids;
  const answers: Record<string, number> = {};
  const keys = new Map<string, boolean>();
  const sample = Math.min(answered.length, ANSWER_SAMPLE);
  const stride = answered.length / Math.max(sample, 1);
  await forEachLimited(sample, 50, async (j) => {
    const id = answered[Math.floor(j * stride)];
    const r = await payments.result(id);
    answers[r.status] = (answers[r.status] ?? 0) + 1;
    keys.set(gatewayChargeKey(id, 1, 0), r.status === 'succeeded');
  });
  answers[`(visibility: succeeded)`] = succeededCount;
  // The ledger check covers all N: visibility says which succeeded, the sample above confirms the answers agree.
  for (const id of ids) {
    const key = gatewayChargeKey(id, 1, 0);
    if (!keys.has(key)) keys.set(key, succeeded ? succeeded.has(paymentWorkflowId(id)) : true);
  }
  const ledger = checkLedger(await ctx.admin.ledger(), keys);
  const roundProcs = roundWindow.end();
  const sqliteEnd = dbFile ? sqliteSize(dbFile) : undefined;
  if (sqliteEnd) ctx.log(`  after the drain: SQLite ${sqliteEnd.dbMiB} MiB + WAL ${sqliteEnd.walMiB} MiB`);
  return {
    parked: n,
    threeDSTimeoutMs,
    parkSeconds: round1(parkSeconds),
    startFailures: started.failures,
    parkProcs,
    rest,
    ...(sqliteRest && sqliteEnd ? { sqlite: { rest: sqliteRest, end: sqliteEnd } } : {}),
    signalSeconds: round1(signalSeconds),
    signalFailures: signalled.failures,
    drainSeconds: round1(drainSeconds),
    drainedCount: succeededCount,
    drainedPerSec: round1(succeededCount / drainSeconds),
    drainProcs,
    roundProcs,
    answers,
    ledger,
    loadAvg: loadAvg(),
    ...(!parkedOk || !drained ? { timedOut: !parkedOk ? 'parking' : 'drain' } : {}),
  };
}

const round1 = (n: number) => Math.round(n * 10) / 10;

async function succeededIds(ctx: BenchContext, base: string): Promise<Set<string>> {
  const found = new Set<string>();
  for await (const wf of ctx.client.workflow.list({ query: `${base} AND PaymentStatus = 'succeeded'` })) {
    found.add(wf.workflowId);
  }
  return found;
}
