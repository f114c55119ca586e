/**
 * Child processes of a peer (its server binary, its Node service) and PostgreSQL's CPU, read from /proc like ours
 * (bench/lib/proc.ts). A peer's children are killed when this process exits, never left behind.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { stopChild } from '../../scripts/lib/temporal-dev-server';
import { readProc, type ProcWindowStats } from '../lib/proc';

const ROOT = path.resolve(__dirname, '..', '..');

const running = new Set<ChildProcess>();
let exitHookInstalled = false;

export interface PeerChild {
  child: ChildProcess;
  pid: number;
  stop(): Promise<void>;
}

/** Spawns `command` with its output in `logFile`; a Node file runs as `node --import tsx <file>` (the sampled pid does the work). */
export function spawnPeer(command: string, args: string[], env: NodeJS.ProcessEnv, logFile: string): PeerChild {
  const log = createWriteStream(logFile, { flags: 'a' });
  const child = spawn(command, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  child.once('exit', () => running.delete(child));
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => running.forEach((c) => c.kill('SIGKILL')));
  }
  child.stdout?.pipe(log, { end: false });
  child.stderr?.pipe(log, { end: false });
  if (child.pid === undefined) throw new Error(`could not start ${command}; see ${logFile}`);
  return {
    child,
    pid: child.pid,
    stop: async () => {
      await stopChild(child, 20_000);
      log.end();
    },
  };
}

export function spawnPeerNode(file: string, env: NodeJS.ProcessEnv, logFile: string): PeerChild {
  return spawnPeer(process.execPath, ['--import', 'tsx', path.join(__dirname, file)], env, logFile);
}

/** Polls `url` until it answers 2xx; fails early when `child` exits first. */
export async function waitForHttp(url: string, timeoutMs: number, child?: PeerChild, logFile?: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child && child.child.exitCode !== null) {
      throw new Error(`${path.basename(child.child.spawnfile)} exited with ${child.child.exitCode}; see ${logFile}`);
    }
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${url} not ready within ${timeoutMs} ms; see ${logFile}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** CPU seconds used between two readings of per-pid totals; a pid new in `end` counts from zero. Pure. */
export function cpuDelta(start: ReadonlyMap<number, number>, end: ReadonlyMap<number, number>): number {
  let used = 0;
  for (const [pid, cpu] of end) used += Math.max(0, cpu - (start.get(pid) ?? 0));
  return Math.round(used * 1000) / 1000;
}

export function asWindowStats(cpuSeconds: number, seconds: number): ProcWindowStats {
  return {
    cpuPct: seconds > 0 ? Math.round((cpuSeconds / seconds) * 1000) / 10 : 0,
    cpuSeconds,
    rssMaxMiB: 0,
    rssEndMiB: 0,
  };
}

/**
 * PostgreSQL's CPU over a window, from /proc of the pids pg_stat_activity lists: `postgres` = the backends
 * connected to the peer's own database (its pool's connections: audit rows, and DBOS's checkpoints);
 * `postgresAll` = every process pg_stat_activity shows (all databases' backends plus walwriter, checkpointer,
 * bgwriter, autovacuum launcher), which includes anyone else's use of this shared server. A backend that exits
 * inside a window loses its CPU (pools keep theirs open, so that is rare).
 */
export class PostgresCpu {
  constructor(
    private readonly client: Client,
    private readonly database: string,
  ) {}

  static async connect(url: string, database: string): Promise<PostgresCpu> {
    const client = new Client({ connectionString: url });
    await client.connect();
    return new PostgresCpu(client, database);
  }

  private async read(): Promise<{ ours: Map<number, number>; all: Map<number, number> }> {
    const res = await this.client.query<{ pid: number; datname: string | null }>(
      'SELECT pid, datname FROM pg_stat_activity WHERE pid <> pg_backend_pid()',
    );
    const ours = new Map<number, number>();
    const all = new Map<number, number>();
    for (const { pid, datname } of res.rows) {
      const reading = readProc(pid);
      if (!reading) continue;
      all.set(pid, reading.cpuSeconds);
      if (datname === this.database) ours.set(pid, reading.cpuSeconds);
    }
    return { ours, all };
  }

  async window(): Promise<{ end(): Promise<{ postgres: ProcWindowStats; postgresAll: ProcWindowStats }> }> {
    const start = await this.read();
    const t0 = performance.now();
    return {
      end: async () => {
        const end = await this.read();
        const seconds = (performance.now() - t0) / 1000;
        return {
          postgres: asWindowStats(cpuDelta(start.ours, end.ours), seconds),
          postgresAll: asWindowStats(cpuDelta(start.all, end.all), seconds),
        };
      },
    };
  }

  close(): Promise<void> {
    return this.client.end();
  }
}

/** Drops and creates the peer's database, so each run starts from empty tables. */
export async function freshDatabase(serverUrl: string, database: string): Promise<void> {
  const client = new Client({ connectionString: `${serverUrl.replace(/\/$/, '')}/postgres` });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
    await client.query(`CREATE DATABASE "${database}"`);
  } finally {
    await client.end();
  }
}

export async function dropDatabase(serverUrl: string, database: string): Promise<void> {
  const client = new Client({ connectionString: `${serverUrl.replace(/\/$/, '')}/postgres` });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}
