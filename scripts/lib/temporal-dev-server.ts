/**
 * Starts `temporal server start-dev` as a child process and waits until it answers, with our own
 * deadline: the SDK's createLocal gives up after 5 s, too tight for a cold start on a loaded 2-core box.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { Connection } from '@temporalio/client';
import { SEARCH_ATTRIBUTES } from '../../shared/search-attributes';
import { ensureSearchAttributes } from './search-attribute-registration';
import { guardedSpawnArgs } from './child-guard';

export interface DevServerOptions {
  binary: string;
  port: number;
  ip?: string;
  uiPort?: number; // omit for --headless
  dbFile?: string; // omit for in-memory
  namespace?: string;
  readyTimeoutMs?: number;
  extraArgs?: string[];
  onOutput?: (chunk: string) => void;
  /** `--sqlite-pragma k=v` for each entry (file or in-memory DB), e.g. `{ journal_mode: 'WAL', synchronous: 'FULL' }`. */
  sqlitePragmas?: Record<string, string>;
  /** `--dynamic-config-value k=<JSON>` for each entry, e.g. `{ 'system.enableActivityEagerExecution': true }`. */
  dynamicConfig?: Record<string, string | number | boolean>;
  /** Serve the server's Prometheus metrics on this port (`/metrics`); omitted: the CLI picks one. */
  metricsPort?: number;
}

/**
 * Server settings that `npm start` and the benchmark use: faster, and as durable as the dev server's defaults.
 * WAL with synchronous=FULL still fsyncs every commit; eager activity dispatch hands the charge activity back in
 * the workflow task's completion; and the dev server's forced search-attribute cache refresh (a re-read of
 * cluster metadata from SQLite on every check) is off, which is safe because start-up registers our attributes
 * before any worker runs. Measured in BENCHMARKS.md ("Knobs tried"): 1.5x throughput, 2.5x lower latency.
 */
export const FAST_DURABLE_SETTINGS: Required<Pick<DevServerOptions, 'sqlitePragmas' | 'dynamicConfig'>> = {
  sqlitePragmas: { journal_mode: 'WAL', synchronous: 'FULL' },
  dynamicConfig: {
    'system.enableActivityEagerExecution': true,
    'system.forceSearchAttributesCacheRefreshOnRead': false,
    // The transfer queue is polled at most 20 times a second by default, which adds 30-40 ms to every workflow
    // task dispatch; with the audit trail written by activities a payment has seven of them (BENCHMARKS.md).
    'history.transferProcessorMaxPollRPS': 1000,
  },
};

export interface DevServer {
  address: string;
  child: ChildProcess;
  output: () => string;
  stop: () => Promise<void>;
}

export function devServerArgs(o: DevServerOptions): string[] {
  const args = ['server', 'start-dev', '--port', String(o.port), '--ip', o.ip ?? '127.0.0.1', '--log-level', 'warn'];
  args.push(...(o.uiPort ? ['--ui-port', String(o.uiPort)] : ['--headless']));
  if (o.dbFile) args.push('--db-filename', o.dbFile);
  if (o.namespace && o.namespace !== 'default') args.push('--namespace', o.namespace);
  for (const sa of SEARCH_ATTRIBUTES) args.push('--search-attribute', `${sa.name}=${sa.cliType}`);
  for (const [k, v] of Object.entries(o.sqlitePragmas ?? {})) args.push('--sqlite-pragma', `${k}=${v}`);
  for (const [k, v] of Object.entries(o.dynamicConfig ?? {}))
    args.push('--dynamic-config-value', `${k}=${JSON.stringify(v)}`);
  if (o.metricsPort) args.push('--metrics-port', String(o.metricsPort));
  return [...args, ...(o.extraArgs ?? [])];
}

export async function startDevServer(o: DevServerOptions): Promise<DevServer> {
  // Guarded: a supervisor killed hard takes the dev server with it instead of leaving it on the port.
  const [command, args] = guardedSpawnArgs(o.binary, devServerArgs(o));
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  const collect = (buf: Buffer) => {
    const text = buf.toString();
    log = (log + text).slice(-64_000);
    o.onOutput?.(text);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const address = `${o.ip ?? '127.0.0.1'}:${o.port}`;
  const stop = () => stopChild(child);
  try {
    await waitUntilReady(address, child, o.readyTimeoutMs ?? 60_000);
    // With an existing --db-filename the CLI does not re-register search attributes; do it ourselves.
    await ensureSearchAttributes(address, o.namespace ?? 'default');
  } catch (err) {
    await stop();
    throw new Error(`Temporal dev server did not start: ${(err as Error).message}\n--- server output ---\n${log}`);
  }
  return { address, child, output: () => log, stop };
}

export async function waitUntilReady(address: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited with code ${child.exitCode}`);
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1000 });
      try {
        await connection.workflowService.getSystemInfo({});
        return;
      } finally {
        await connection.close();
      }
    } catch (err) {
      lastError = err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  throw new Error(`not ready within ${timeoutMs} ms: ${String(lastError)}`);
}

export function stopChild(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGINT');
  });
}
