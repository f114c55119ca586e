/**
 * The stack `npm start` runs, as separate processes so each can be measured from /proc: the Temporal dev
 * server on a temp SQLite file (search attributes registered by scripts/lib), the sandbox gateway, and the
 * worker, each on free ports, with a fresh temp audit dir (embedded PGlite, or DATABASE_URL when set).
 * Node children run as `node --import tsx <file>` rather than through the tsx CLI, so the pid we sample is
 * the process doing the work and not a wrapper.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, type WriteStream } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { failoverGateways } from '../../scripts/lib/app-services';
import { freePort } from '../../scripts/lib/free-port';
import { temporalCliPath } from '../../scripts/lib/temporal-cli';
import { devServerArgs, startDevServer, stopChild, type DevServer } from '../../scripts/lib/temporal-dev-server';

const ROOT = path.resolve(__dirname, '..', '..');

export interface StackOptions {
  /** In-memory dev server (no --db-filename): for attributing time to persistence only, never a durable setup. */
  inMemory: boolean;
  sqlitePragmas: Record<string, string>;
  dynamicConfig: Record<string, string | number | boolean>;
  /** Extra environment for the worker (WORKER_* tuning keys, LOG_LEVEL). */
  workerEnv: Record<string, string>;
  /** Extra node flags for the worker, e.g. `--cpu-prof` (not allowed in NODE_OPTIONS). */
  workerNodeArgs: string[];
  keepWorkDir: boolean;
  /**
   * A second sandbox gateway (the outage scenario): the worker then fails over from `primary` to `secondary`
   * through GATEWAYS, as `npm start` configures it (scripts/lib/app-services.ts), each with its own ledger.
   */
  secondaryGateway?: boolean;
  namespace: string;
  taskQueue: string;
  log: (line: string) => void;
}

export interface Stack {
  workDir: string;
  /** The dev server's SQLite file (its `-wal` and `-shm` beside it); undefined for an in-memory server. */
  dbFile?: string;
  temporalAddress: string;
  gatewayUrl: string;
  /** The secondary sandbox, with `secondaryGateway`. */
  secondaryGatewayUrl?: string;
  serverMetricsUrl: string;
  workerMetricsUrl: string;
  serverArgs: string[];
  pids(): { server: number; gateway: number; worker: number; gatewaySecondary?: number };
  /** Stops the worker and starts a fresh one (same env); resolves once it is polling. */
  restartWorker(): Promise<void>;
  /** Starts the floor's worker (bench/floor) on its own task queue; resolves once it is polling. */
  startFloorWorker(taskQueue: string): Promise<{ pid: number; stop(): Promise<void> }>;
  stop(): Promise<void>;
}

/** Children still running when this process exits (a crash, Ctrl-C mid-start) are killed, never orphaned. */
const running = new Set<ChildProcess>();
let exitHookInstalled = false;
function adopt(child: ChildProcess): void {
  running.add(child);
  child.once('exit', () => running.delete(child));
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => running.forEach((c) => c.kill('SIGKILL')));
  }
}

interface NodeChild {
  child: ChildProcess;
  log: WriteStream;
}

function startNode(file: string, env: NodeJS.ProcessEnv, logFile: string, nodeArgs: string[] = []): NodeChild {
  const log = createWriteStream(logFile, { flags: 'a' });
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', file], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  adopt(child);
  child.stdout?.pipe(log, { end: false });
  child.stderr?.pipe(log, { end: false });
  return { child, log };
}

/** Ready = the worker's own pid polls the workflow task queue (its identity is `<pid>@<host>`). */
async function waitForPoller(
  connection: Connection,
  o: { namespace: string; taskQueue: string },
  worker: NodeChild,
  logFile: string,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const prefix = `${worker.child.pid}@`;
  while (Date.now() < deadline) {
    if (worker.child.exitCode !== null) {
      throw new Error(`worker exited with code ${worker.child.exitCode} before it was ready; see ${logFile}`);
    }
    const res = await connection.workflowService.describeTaskQueue({
      namespace: o.namespace,
      taskQueue: { name: o.taskQueue, kind: temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
      taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
    });
    if ((res.pollers ?? []).some((p) => p.identity?.startsWith(prefix))) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`worker did not poll within ${timeoutMs} ms; see ${logFile}`);
}

async function waitForHttp(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${url} not ready within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function startStack(o: StackOptions): Promise<Stack> {
  const workDir = mkdtempSync(path.join(os.tmpdir(), 'dp-bench-'));
  const dbFile = o.inMemory ? undefined : path.join(workDir, 'temporal.db');
  const [port, metricsPort, gatewayPort, workerMetricsPort] = [
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
  ];
  const serverLog = createWriteStream(path.join(workDir, 'temporal.log'));
  const serverOptions = {
    binary: temporalCliPath(),
    port,
    dbFile,
    namespace: o.namespace,
    metricsPort,
    sqlitePragmas: o.sqlitePragmas,
    dynamicConfig: o.dynamicConfig,
    readyTimeoutMs: 90_000,
    onOutput: (chunk: string) => serverLog.write(chunk),
  };
  const started = Date.now();
  const server: DevServer = await startDevServer(serverOptions);
  adopt(server.child);
  o.log(`dev server ${server.address} ready in ${Date.now() - started} ms (${dbFile ?? 'in-memory'})`);
  const serverArgs = devServerArgs(serverOptions);
  const connection = await Connection.connect({ address: server.address });
  const gatewayUrl = `http://127.0.0.1:${gatewayPort}`;
  const secondaryPort = o.secondaryGateway ? await freePort() : undefined;
  const secondaryGatewayUrl = secondaryPort === undefined ? undefined : `http://127.0.0.1:${secondaryPort}`;
  const workerEnv: NodeJS.ProcessEnv = {
    TEMPORAL_ADDRESS: server.address,
    GATEWAY_URL: gatewayUrl,
    ...(secondaryPort === undefined
      ? {}
      : { GATEWAYS: JSON.stringify(failoverGateways({ gatewayPort, secondaryGatewayPort: secondaryPort })) }),
    AUDIT_DATA_DIR: path.join(workDir, 'audit'),
    WORKER_METRICS_PORT: String(workerMetricsPort),
    ...o.workerEnv,
  };
  const workerLog = path.join(workDir, 'worker.log');
  const launchWorker = async () => {
    const t = Date.now();
    const w = startNode(path.join(ROOT, 'worker.ts'), workerEnv, workerLog, o.workerNodeArgs);
    try {
      await waitForPoller(connection, o, w, workerLog, 180_000);
    } catch (err) {
      await stopChild(w.child, 5_000);
      throw err;
    }
    o.log(`worker pid ${w.child.pid} ready in ${Date.now() - t} ms`);
    return w;
  };

  let gateway: NodeChild | undefined;
  let secondary: NodeChild | undefined;
  let worker: NodeChild | undefined;
  const stopAll = async () => {
    if (worker) await stopChild(worker.child, 30_000);
    if (gateway) await stopChild(gateway.child, 10_000);
    if (secondary) await stopChild(secondary.child, 10_000);
    await connection.close();
    await server.stop();
    worker?.log.end();
    gateway?.log.end();
    secondary?.log.end();
    serverLog.end();
  };
  try {
    const gatewayLog = path.join(workDir, 'gateway.log');
    const gatewayMain = path.join(ROOT, 'gateway-sandbox', 'main.ts');
    gateway = startNode(gatewayMain, { GATEWAY_PORT: String(gatewayPort) }, gatewayLog);
    await waitForHttp(`${gatewayUrl}/health`, 60_000);
    if (secondaryPort !== undefined) {
      const env = { GATEWAY_PORT: String(secondaryPort) };
      secondary = startNode(gatewayMain, env, path.join(workDir, 'gateway-secondary.log'));
      await waitForHttp(`${secondaryGatewayUrl}/health`, 60_000);
    }
    worker = await launchWorker();
  } catch (err) {
    await stopAll();
    o.log(`stack failed to start; logs kept in ${workDir}`);
    throw err;
  }
  const gw = gateway;
  let current = worker;

  return {
    workDir,
    ...(dbFile ? { dbFile } : {}),
    temporalAddress: server.address,
    gatewayUrl,
    ...(secondaryGatewayUrl ? { secondaryGatewayUrl } : {}),
    serverMetricsUrl: `http://127.0.0.1:${metricsPort}/metrics`,
    workerMetricsUrl: `http://127.0.0.1:${workerMetricsPort}/metrics`,
    serverArgs,
    pids: () => ({
      server: server.child.pid ?? 0,
      gateway: gw.child.pid ?? 0,
      worker: current.child.pid ?? 0,
      ...(secondary?.child.pid ? { gatewaySecondary: secondary.child.pid } : {}),
    }),
    startFloorWorker: async (taskQueue) => {
      const floorLog = path.join(workDir, 'floor-worker.log');
      const env = { ...workerEnv, TEMPORAL_TASK_QUEUE: taskQueue };
      const w = startNode(path.join(ROOT, 'bench', 'floor', 'worker.ts'), env, floorLog);
      try {
        await waitForPoller(connection, { namespace: o.namespace, taskQueue }, w, floorLog, 120_000);
      } catch (err) {
        await stopChild(w.child, 5_000);
        throw err;
      }
      return {
        pid: w.child.pid ?? 0,
        stop: async () => {
          await stopChild(w.child, 30_000);
          w.log.end();
        },
      };
    },
    restartWorker: async () => {
      await stopChild(current.child, 30_000);
      current.log.end();
      current = await launchWorker();
      worker = current;
    },
    stop: async () => {
      await stopAll();
      if (!o.keepWorkDir) rmSync(workDir, { recursive: true, force: true });
      else o.log(`kept ${workDir} (logs, temporal.db, audit)`);
    },
  };
}
