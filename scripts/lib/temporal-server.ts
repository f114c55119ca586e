/**
 * Temporal's own server (not the dev server) on PostgreSQL: finds or builds it and its SQL schema tool, sets up
 * the persistence and visibility databases (idempotent: a second run reuses them), starts it with the config kept
 * in cluster/temporal.yaml, and makes sure the namespace and our search attributes exist.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import { findGo, goInstallPackages, ToolError, TOOLS_BIN } from './go-tools';
import { ensureSearchAttributes } from './search-attribute-registration';
import { stopChild, waitUntilReady } from './temporal-dev-server';
import { ensureDatabase, hasTable, type PgTarget } from './postgres';
import { guardedSpawnArgs } from './child-guard';

export const TEMPORAL_SERVER_VERSION = 'v1.29.1';
const MODULE = 'go.temporal.io/server';
const ROOT = path.resolve(__dirname, '..', '..');
// go install names the binaries after their package directories: server and sql.
const BIN_DIR = path.join(TOOLS_BIN, `temporal-server-${TEMPORAL_SERVER_VERSION}`);
export const SERVER_BINARY = path.join(BIN_DIR, 'server');
export const SQL_TOOL_BINARY = path.join(BIN_DIR, 'sql');
/** How long Temporal keeps a closed run; the audit trail keeps the payment's record beyond that. */
const RETENTION = '7 days';

export class TemporalServerError extends ToolError {}

export function isServerProvisioned(): boolean {
  return existsSync(SERVER_BINARY) && existsSync(SQL_TOOL_BINARY);
}

/** Builds the server and its schema tool into tools/bin once (the same Go build cache as the CLI). */
export function provisionTemporalServer(log: (line: string) => void): void {
  if (isServerProvisioned()) return;
  const go = findGo('The Temporal server', `, or build it elsewhere and copy it to ${BIN_DIR}`);
  log(`Building Temporal server ${TEMPORAL_SERVER_VERSION} with ${go} (first run only; takes several minutes)...`);
  goInstallPackages(go, [`${MODULE}/cmd/server`, `${MODULE}/cmd/tools/sql`], TEMPORAL_SERVER_VERSION, BIN_DIR);
}

export interface ServerPorts {
  frontend: number;
  http: number;
  history: number;
  matching: number;
  worker: number;
  frontendMembership: number;
  historyMembership: number;
  matchingMembership: number;
  workerMembership: number;
  metrics: number;
}

export const DEFAULT_SERVER_PORTS: ServerPorts = {
  frontend: 7233,
  http: 7243,
  history: 7234,
  matching: 7235,
  worker: 7239,
  frontendMembership: 6933,
  historyMembership: 6934,
  matchingMembership: 6935,
  workerMembership: 6939,
  metrics: 8000,
};

/** The default block moved so the frontend is on `frontend`: every internal port keeps its offset from it. */
export function shiftedPorts(frontend: number): ServerPorts {
  const shift = frontend - DEFAULT_SERVER_PORTS.frontend;
  const ports = { ...DEFAULT_SERVER_PORTS };
  for (const key of Object.keys(ports) as (keyof ServerPorts)[]) ports[key] += shift;
  return ports;
}

export interface ClusterServerOptions {
  db: PgTarget;
  databaseName: string;
  visibilityDatabaseName: string;
  ports: ServerPorts;
  namespace?: string;
  historyShards?: number;
  logLevel?: string;
  onOutput?: (chunk: string) => void;
  readyTimeoutMs?: number;
}

/** The variables cluster/temporal.yaml reads (the server renders it as a template). */
export function serverEnv(o: ClusterServerOptions): Record<string, string> {
  const p = o.ports;
  return {
    TEMPORAL_DB_HOST: o.db.host,
    TEMPORAL_DB_PORT: String(o.db.port),
    TEMPORAL_DB_USER: o.db.user,
    TEMPORAL_DB_PASSWORD: o.db.password ?? '',
    TEMPORAL_DB_NAME: o.databaseName,
    TEMPORAL_VISIBILITY_DB_NAME: o.visibilityDatabaseName,
    TEMPORAL_HISTORY_SHARDS: String(o.historyShards ?? 4),
    TEMPORAL_LOG_LEVEL: o.logLevel ?? 'warn',
    TEMPORAL_PORT: String(p.frontend),
    TEMPORAL_HTTP_PORT: String(p.http),
    TEMPORAL_HISTORY_PORT: String(p.history),
    TEMPORAL_MATCHING_PORT: String(p.matching),
    TEMPORAL_WORKER_SERVICE_PORT: String(p.worker),
    TEMPORAL_FRONTEND_MEMBERSHIP_PORT: String(p.frontendMembership),
    TEMPORAL_HISTORY_MEMBERSHIP_PORT: String(p.historyMembership),
    TEMPORAL_MATCHING_MEMBERSHIP_PORT: String(p.matchingMembership),
    TEMPORAL_WORKER_MEMBERSHIP_PORT: String(p.workerMembership),
    TEMPORAL_METRICS_PORT: String(p.metrics),
    TEMPORAL_DYNAMIC_CONFIG_FILE: path.join(ROOT, 'cluster', 'dynamicconfig.yaml'),
  };
}

const run = promisify(execFile);

async function sqlTool(o: ClusterServerOptions, database: string, args: string[]): Promise<void> {
  const common = ['--ep', o.db.host, '-p', String(o.db.port), '-u', o.db.user, '--pl', 'postgres12', '--db', database];
  const env = { ...process.env, SQL_PASSWORD: o.db.password ?? '' };
  try {
    await run(SQL_TOOL_BINARY, [...common, ...args], { env });
  } catch (err) {
    const e = err as { stderr?: string; stdout?: string };
    throw new TemporalServerError(
      `temporal sql tool ${args[0]} on ${database} failed:\n${e.stderr ?? ''}${e.stdout ?? ''}`,
    );
  }
}

/**
 * Creates each database when missing, creates the schema version table on a new one, then updates the schema to
 * the server's latest (the server embeds its schema files; an up-to-date database is left as it is).
 */
export async function setupSchemas(o: ClusterServerOptions): Promise<void> {
  const schemas: [string, string][] = [
    [o.databaseName, 'postgresql/v12/temporal'],
    [o.visibilityDatabaseName, 'postgresql/v12/visibility'],
  ];
  for (const [database, schemaName] of schemas) {
    await ensureDatabase(o.db, database);
    if (!(await hasTable(o.db, database, 'schema_version'))) await sqlTool(o, database, ['setup-schema', '-v', '0.0']);
    await sqlTool(o, database, ['update-schema', '--schema-name', schemaName]);
  }
}

export interface ClusterServer {
  address: string;
  /** The server process (for CPU and memory sampling). */
  pid: () => number | undefined;
  metricsUrl: string;
  output: () => string;
  stop: () => Promise<void>;
}

function launch(o: ClusterServerOptions): { child: ReturnType<typeof spawn>; output: () => string } {
  const args = ['--root', ROOT, '--config', 'cluster', '--env', 'temporal', '--allow-no-auth', 'start'];
  const [command, guarded] = guardedSpawnArgs(SERVER_BINARY, args);
  const child = spawn(command, guarded, {
    cwd: ROOT,
    env: { ...process.env, ...serverEnv(o) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  const collect = (buf: Buffer) => {
    const text = buf.toString();
    log = (log + text).slice(-64_000);
    o.onOutput?.(text);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  return { child, output: () => log };
}

/** Starts the server and waits until the frontend answers; registers the namespace and search attributes. */
export async function startClusterServer(o: ClusterServerOptions): Promise<ClusterServer> {
  const address = `127.0.0.1:${o.ports.frontend}`;
  const namespace = o.namespace ?? 'default';
  let { child, output } = launch(o);
  try {
    await waitUntilReady(address, child, o.readyTimeoutMs ?? 90_000);
    if (await ensureRegistered(address, namespace)) {
      // Every service caches namespaces and search attributes (the latter for 60 s): a restart makes all of
      // them read what was just registered, so the first payment cannot be refused for an unknown attribute.
      await stopChild(child, 30_000);
      ({ child, output } = launch(o));
      await waitUntilReady(address, child, o.readyTimeoutMs ?? 90_000);
    }
    await waitForNamespace(address, namespace);
  } catch (err) {
    await stopChild(child, 30_000);
    throw new TemporalServerError(
      `Temporal server did not start: ${(err as Error).message}\n--- server output ---\n${output()}`,
    );
  }
  const current = child;
  return {
    address,
    metricsUrl: `http://127.0.0.1:${o.ports.metrics}/metrics`,
    pid: () => current.pid,
    output: () => output(),
    stop: () => stopChild(current, 30_000),
  };
}

/** Registers the namespace and our search attributes where missing; true when something was added. */
export async function ensureRegistered(address: string, namespace: string): Promise<boolean> {
  const connection = await Connection.connect({ address });
  let added = false;
  try {
    try {
      await connection.workflowService.describeNamespace({ namespace });
    } catch {
      await connection.workflowService.registerNamespace({
        namespace,
        workflowExecutionRetentionPeriod: msToTs(RETENTION),
      });
      added = true;
    }
  } finally {
    await connection.close();
  }
  // A namespace registered a moment ago may not be in the frontend's cache yet: retry until it is.
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      return (await ensureSearchAttributes(address, namespace)).length > 0 || added;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

async function waitForNamespace(address: string, namespace: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  const connection = await Connection.connect({ address });
  try {
    for (;;) {
      try {
        await connection.workflowService.listWorkflowExecutions({ namespace, query: "PaymentStatus = 'succeeded'" });
        return;
      } catch (err) {
        if (Date.now() > deadline) throw err;
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  } finally {
    await connection.close();
  }
}
