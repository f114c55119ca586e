/**
 * `npm run bench:cluster`: the happy path's closed loop (C callers, each starting its next payment when the last
 * answered) on the dev server with one worker, as `npm start` runs it, and on Temporal's own server on PostgreSQL
 * with one and with two workers, as `npm run cluster` runs it. Every process is its own (the gateway too), so
 * CPU per payment is read per process from /proc. The audit trail is PostgreSQL in all three. Prints a markdown
 * table for BENCHMARKS.md and writes JSON to bench/results/.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { PaymentsClient } from '../client/payments-client';
import { encryptedDataConverter } from '../encryption/data-converter';
import { parseEncryptionKeys } from '../encryption/payload-codec';
import { freePort } from '../scripts/lib/free-port';
import { dropDatabase, ensureDatabase, type PgTarget } from '../scripts/lib/postgres';
import { temporalCliPath } from '../scripts/lib/temporal-cli';
import { FAST_DURABLE_SETTINGS, startDevServer, stopChild } from '../scripts/lib/temporal-dev-server';
import { setupSchemas, shiftedPorts, startClusterServer, type ServerPorts } from '../scripts/lib/temporal-server';
import { closedLoop } from './lib/loops';
import { ProcSampler } from './lib/proc';
import { summarize } from './lib/stats';

const ROOT = path.resolve(__dirname, '..');
const PG: PgTarget = { host: '127.0.0.1', port: 5432, user: 'postgres' };
const KEYS = 'bench:3YQqtmKSh5SLxBY1+b7MFl03r7+B8mFhrQDwavbF2do=';
const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const CALLERS = arg('callers', 10);
const SECONDS = arg('seconds', 60);
const WARMUP_SECONDS = arg('warmup', 10);
const log = (line: string) => process.stdout.write(`[bench:cluster] ${line}\n`);

interface Topology {
  label: string;
  server: 'dev' | 'cluster';
  workers: number;
}
const TOPOLOGIES: Topology[] = [
  { label: 'dev server, 1 worker', server: 'dev', workers: 1 },
  { label: 'Temporal server on PostgreSQL, 1 worker', server: 'cluster', workers: 1 },
  { label: 'Temporal server on PostgreSQL, 2 workers', server: 'cluster', workers: 2 },
];

function node(script: string, env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', script], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'warn', PAYLOAD_ENCRYPTION_KEYS: KEYS, ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

async function until(url: string, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (
    !(await fetch(url).then(
      (r) => r.ok,
      () => false,
    ))
  ) {
    if (Date.now() > deadline) throw new Error(`${url} did not answer`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function lowPorts(): Promise<ServerPorts> {
  const base = 20_000 + Math.floor(Math.random() * 10_000); // membership ports must fit a smallint
  return { ...shiftedPorts(base), metrics: await freePort() };
}

async function startTemporal(t: Topology, name: string, dir: string) {
  if (t.server === 'dev') {
    const server = await startDevServer({
      binary: temporalCliPath(),
      port: await freePort(),
      dbFile: path.join(dir, 'temporal.db'),
      ...FAST_DURABLE_SETTINGS,
    });
    return { address: server.address, pid: server.child.pid, stop: server.stop, databases: [] as string[] };
  }
  const options = { db: PG, databaseName: name, visibilityDatabaseName: `${name}_visibility`, ports: await lowPorts() };
  await setupSchemas(options);
  const server = await startClusterServer(options);
  return { address: server.address, pid: server.pid(), stop: server.stop, databases: [name, `${name}_visibility`] };
}

async function run(t: Topology) {
  const name = `dp_bench_${randomBytes(3).toString('hex')}`;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'dp-bench-cluster-'));
  const audit = `${name}_audit`;
  await ensureDatabase(PG, audit);
  const temporal = await startTemporal(t, name, dir);
  const taskQueue = `bench-${randomUUID()}`;
  const gatewayPort = await freePort();
  const shared = {
    TEMPORAL_ADDRESS: temporal.address,
    TEMPORAL_TASK_QUEUE: taskQueue,
    GATEWAY_URL: `http://127.0.0.1:${gatewayPort}`,
    DATABASE_URL: `postgres://${PG.user}@${PG.host}:${PG.port}/${audit}`,
  };
  const gateway = node('gateway-sandbox/main.ts', { ...shared, GATEWAY_PORT: String(gatewayPort) });
  const workerPorts = await Promise.all(Array.from({ length: t.workers }, () => freePort()));
  const workers = workerPorts.map((p) => node('worker.ts', { ...shared, WORKER_METRICS_PORT: String(p) }));
  const connection = await Connection.connect({ address: temporal.address });
  try {
    await until(`${shared.GATEWAY_URL}/health`);
    for (const p of workerPorts) await until(`http://127.0.0.1:${p}/metrics`);
    const client = new Client({ connection, dataConverter: encryptedDataConverter(parseEncryptionKeys(KEYS)) });
    const payments = new PaymentsClient(client, { taskQueue, fingerprintSecret: 'bench-cluster', maxAmount: 1e8 });
    const task = async (i: number) => {
      const { paymentId } = await payments.startPayment({
        idempotencyKey: `${taskQueue}-${i}`,
        amount: 1000 + (i % 1000),
        currency: 'USD',
        paymentMethod: { type: 'card', number: '4242424242424242' },
      });
      const r = await payments.result(paymentId);
      return { ok: r.status === 'succeeded', label: r.status };
    };
    await closedLoop({ concurrency: CALLERS, durationMs: WARMUP_SECONDS * 1000, drainTimeoutMs: 30_000, task });
    const sampler = new ProcSampler();
    sampler.track('temporal', temporal.pid as number);
    sampler.track('gateway', gateway.pid as number);
    workers.forEach((w, i) => sampler.track(`worker-${i + 1}`, w.pid as number));
    sampler.start();
    const window = sampler.window();
    const loop = await closedLoop({
      concurrency: CALLERS,
      durationMs: SECONDS * 1000,
      drainTimeoutMs: 30_000,
      task,
      firstIndex: 1_000_000,
    });
    const procs = window.end();
    sampler.stop();
    const ledger = (await fetch(`${shared.GATEWAY_URL}/_sandbox/ledger`).then((r) => r.json())) as {
      charges: { idempotency_key: string }[];
    };
    const keys = new Set(ledger.charges.map((c) => c.idempotency_key));
    const perPayment = (seconds: number) => Math.round((seconds * 1000 * 10) / Math.max(1, loop.completed)) / 10;
    const cpuMsPerPayment = Object.fromEntries(
      Object.entries(procs)
        .filter(([k]) => k !== 'machine')
        .map(([k, v]) => [k, perPayment(v.cpuSeconds)]),
    );
    return {
      topology: t.label,
      callers: CALLERS,
      seconds: SECONDS,
      completed: loop.completed,
      errors: loop.errors,
      throughputPerSec: loop.throughputPerSec,
      latency: summarize(loop.latency),
      cpuMsPerPayment,
      machineCpuMsPerPayment: perPayment(procs.machine.cpuSeconds),
      ledgerCharges: ledger.charges.length,
      duplicateCharges: ledger.charges.length - keys.size,
    };
  } finally {
    await connection.close();
    for (const w of workers) await stopChild(w, 20_000);
    await stopChild(gateway, 10_000);
    await temporal.stop();
    for (const db of [...temporal.databases, audit]) await dropDatabase(PG, db);
    rmSync(dir, { recursive: true, force: true });
  }
}

function table(rows: Awaited<ReturnType<typeof run>>[]): string {
  const lines = [
    '| Topology | Payments/s | p50 / p99 ms | CPU ms per payment: Temporal | worker(s) | gateway | whole machine | Ledger |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const r of rows) {
    const c = r.cpuMsPerPayment;
    const workers = Object.keys(c)
      .filter((k) => k.startsWith('worker'))
      .map((k) => c[k])
      .join(' + ');
    lines.push(
      `| ${r.topology} | ${r.throughputPerSec} | ${r.latency.p50Ms.toFixed(0)} / ${r.latency.p99Ms.toFixed(0)} | ` +
        `${c.temporal} | ${workers} | ${c.gateway} | ${r.machineCpuMsPerPayment} | ` +
        `${r.ledgerCharges} charges, ${r.duplicateCharges} duplicate |`,
    );
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const rows = [];
  for (const t of TOPOLOGIES) {
    log(`${t.label}: ${CALLERS} callers, ${WARMUP_SECONDS} s warm-up, ${SECONDS} s measured`);
    rows.push(await run(t));
    log(JSON.stringify(rows[rows.length - 1]));
  }
  const file = path.join(ROOT, 'bench', 'results', `cluster-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify({ at: new Date().toISOString(), load: os.loadavg(), rows }, null, 2) + '\n');
  process.stdout.write(`\n${table(rows)}\n\nResults: ${path.relative(ROOT, file)}\n`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
