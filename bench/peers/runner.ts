/**
 * `--peers`: the same payment on other durable-execution systems (bench/peers/restate.ts, dbos.ts), against the
 * sandbox gateway of our stack, in the closed loop of ours (each `--concurrency` level for `--closed-seconds`,
 * after `--warmup` payments). Rows report the peer's processes as ours are reported, `server` (its engine, when it
 * has one) and `worker` (its application), plus `postgres` (backends of the peer's own database) and
 * `postgresAll` (every PostgreSQL process, anyone's); charges per key come from the sandbox ledger.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { paymentIdFromKey } from '../../client/payment-id';
import { gatewayChargeKey } from '../../shared/idempotency';
import { CARD_OK, loadAvg, row, type BenchContext, type ResultRow } from '../lib/context';
import { checkLedger } from '../lib/ledger';
import { closedLoop, forEachLimited, type Task } from '../lib/loops';
import { ProcSampler } from '../lib/proc';
import { dbosPeer } from './dbos';
import { ensurePeerDeps } from './deps';
import { dropDatabase, freshDatabase, PostgresCpu } from './processes';
import { restatePeer } from './restate';
import type { PeerRun, PeerSystem, PeerSystemName, RunningPeer } from './types';

export const PEERS: Record<PeerSystemName, PeerSystem> = { restate: restatePeer, dbos: dbosPeer };

export const PEER_CPU_COUNTED =
  'server = the engine process (restate-server; DBOS has none), worker = the application process (Restate ' +
  'service endpoint / DBOS app), postgres = backends connected to the peer’s own database (pg_stat_activity ' +
  'pids, CPU from /proc), postgresAll = every PostgreSQL process incl. walwriter/checkpointer and other users';

export function peerScenario(name: PeerSystemName): string {
  return `peer-${name}`;
}

export async function peersScenario(ctx: BenchContext): Promise<{ rows: ResultRow[]; runs: PeerRun[] }> {
  const runs: PeerRun[] = [];
  let installError: string | undefined;
  try {
    ensurePeerDeps(ctx.log);
  } catch (err) {
    installError = (err as Error).message;
    ctx.log(installError);
  }
  for (const name of ctx.o.peerSystems) {
    const peer = PEERS[name];
    const run: PeerRun = {
      peer: name,
      title: installError ? name : peer.title(),
      durability: peer.durability,
      vsTemporal: peer.vsTemporal,
      counted: PEER_CPU_COUNTED,
      rows: [],
    };
    runs.push(run);
    if (installError) {
      run.error = installError;
      continue;
    }
    try {
      run.rows = await measurePeer(ctx, peer);
    } catch (err) {
      run.error = err instanceof Error ? err.message : String(err);
      ctx.log(`peer ${name} failed: ${run.error}`);
    }
  }
  return { rows: runs.flatMap((r) => r.rows), runs };
}

async function measurePeer(ctx: BenchContext, peer: PeerSystem): Promise<ResultRow[]> {
  const database = `bench_peers_${peer.name}`;
  const serverUrl = ctx.o.peersDatabaseUrl.replace(/\/$/, '');
  const workDir = mkdtempSync(path.join(os.tmpdir(), `dp-peer-${peer.name}-`));
  await freshDatabase(serverUrl, database);
  ctx.log(`peer ${peer.title()}: starting (logs in ${workDir})`);
  let running: RunningPeer | undefined;
  const sampler = new ProcSampler(500);
  let pg: PostgresCpu | undefined;
  let failed = true;
  try {
    running = await peer.start({
      workDir,
      gatewayUrl: ctx.stack.gatewayUrl,
      databaseUrl: `${serverUrl}/${database}`,
      log: ctx.log,
    });
    if (running.pids.server) sampler.track('server', running.pids.server);
    sampler.track('worker', running.pids.worker);
    sampler.track('gateway', ctx.stack.pids().gateway);
    sampler.track('bench', process.pid);
    sampler.start();
    pg = await PostgresCpu.connect(`${serverUrl}/postgres`, database);
    const rows = await drive(ctx, peer, running, sampler, pg);
    failed = false;
    return rows;
  } finally {
    sampler.stop();
    await pg?.close();
    await running?.stop();
    if (!failed && !ctx.o.keepWorkDir) {
      rmSync(workDir, { recursive: true, force: true });
      await dropDatabase(serverUrl, database);
    } else {
      ctx.log(`peer ${peer.name}: kept ${workDir} and database ${database}`);
    }
  }
}

function payTask(ctx: BenchContext, peer: PeerSystem, running: RunningPeer, level: string, keys: Map<string, boolean>) {
  const task: Task = async (index) => {
    const paymentId = paymentIdFromKey(`bench-${ctx.runId}-${peerScenario(peer.name)}-${level}-${index}`);
    const gatewayKey = gatewayChargeKey(paymentId, 1, 0);
    keys.set(gatewayKey, false);
    const result = await running.pay({ paymentId, gatewayKey, amount: 1999, currency: 'USD', card: CARD_OK });
    keys.set(gatewayKey, result.status === 'succeeded');
    return { ok: result.status === 'succeeded', label: result.status };
  };
  return task;
}

async function drive(
  ctx: BenchContext,
  peer: PeerSystem,
  running: RunningPeer,
  sampler: ProcSampler,
  pg: PostgresCpu,
): Promise<ResultRow[]> {
  if (ctx.o.warmup > 0) {
    const warm = payTask(ctx, peer, running, 'warmup', new Map());
    const t = performance.now();
    const { failures, firstError } = await forEachLimited(ctx.o.warmup, 10, async (i) => {
      const r = await warm(i, performance.now());
      if (!r.ok) throw new Error(`warm-up payment ended ${r.label}`);
    });
    ctx.log(`peer ${peer.name} warm-up: ${ctx.o.warmup} payments in ${Math.round(performance.now() - t)} ms`);
    if (failures) throw new Error(`${peer.name} warm-up: ${failures} failed, first: ${firstError}`);
  }
  const rows: ResultRow[] = [];
  for (const concurrency of ctx.o.concurrency) {
    const load = `${concurrency} callers × ${ctx.o.closedSeconds}s`;
    ctx.log(`peer ${peer.name} closed loop: ${load}`);
    const keys = new Map<string, boolean>();
    const window = sampler.window();
    const pgWindow = await pg.window();
    const result = await closedLoop({
      concurrency,
      durationMs: ctx.o.closedSeconds * 1000,
      drainTimeoutMs: ctx.o.drainTimeoutSeconds * 1000,
      task: payTask(ctx, peer, running, `c${concurrency}`, keys),
    });
    const procs = { ...window.end(), ...(await pgWindow.end()) };
    const ledger = checkLedger(await ctx.admin.ledger(), keys);
    const r = row(peerScenario(peer.name), load, result, procs, { ledger, loadAvg: loadAvg(), note: peer.title() });
    const c = r.cpuMsPerPayment;
    ctx.log(
      `  → ${r.completed} ok, ${r.errors} err, ${r.throughputPerSec}/s, p50 ${r.latency.p50Ms.toFixed(1)} ` +
        `p99 ${r.latency.p99Ms.toFixed(1)} ms; CPU ms/payment server ${c.server ?? '–'} worker ${c.worker} ` +
        `postgres ${c.postgres} (all pg ${c.postgresAll}); charges ${JSON.stringify(ledger.chargesPerKey)}`,
    );
    rows.push(r);
  }
  return rows;
}
