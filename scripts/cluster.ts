/**
 * `npm run cluster`: the production topology on one machine. Temporal's own server (frontend, history, matching
 * and worker services; config in cluster/temporal.yaml) on PostgreSQL, two payment workers on one task queue, the
 * HTTP API, the sandbox gateway, and the audit trail in PostgreSQL. Builds the server once into tools/bin and sets
 * up its databases (a second run reuses them). Ctrl-C stops everything.
 */
import { z } from 'zod';
import { DEV_API_KEY, DEV_GATEWAY_WEBHOOK_SECRET } from '../config';
import { appServices, workerName } from './lib/app-services';
import { ToolError } from './lib/go-tools';
import { prefixedWriter } from './lib/log-lines';
import { assertPortsFree, PortsTakenError, type WantedPort } from './lib/ports';
import { checkPostgres, ensureDatabase, PostgresUnavailableError } from './lib/postgres';
import { stopOnSignal, Supervisor } from './lib/supervisor';
import {
  DEFAULT_SERVER_PORTS,
  provisionTemporalServer,
  shiftedPorts,
  setupSchemas,
  startClusterServer,
  type ClusterServerOptions,
} from './lib/temporal-server';

const port = (fallback: number) => z.coerce.number().int().min(1).max(65535).default(fallback);
const Env = z.object({
  TEMPORAL_DB_HOST: z.string().min(1).default('127.0.0.1'),
  TEMPORAL_DB_PORT: port(5432),
  TEMPORAL_DB_USER: z.string().min(1).default('postgres'),
  TEMPORAL_DB_PASSWORD: z.string().optional(),
  TEMPORAL_DB_NAME: z.string().min(1).default('temporal_payments'),
  TEMPORAL_VISIBILITY_DB_NAME: z.string().min(1).default('temporal_payments_visibility'),
  /** The audit trail's database on the same server, created when missing. */
  AUDIT_DB_NAME: z.string().min(1).default('payments_audit'),
  TEMPORAL_PORT: port(DEFAULT_SERVER_PORTS.frontend),
  TEMPORAL_METRICS_PORT: port(DEFAULT_SERVER_PORTS.metrics),
  GATEWAY_PORT: port(4010),
  API_PORT: port(3000),
  /** The first worker's metrics port; worker n gets this + n - 1. */
  WORKER_METRICS_PORT: port(9464),
  WORKERS: z.coerce.number().int().min(1).max(8).default(2),
  GATEWAY_WEBHOOK_SECRET: z.string().min(16).default(DEV_GATEWAY_WEBHOOK_SECRET),
  API_KEYS: z.string().optional(),
});
type Env = z.output<typeof Env>;

const write = (s: string) => process.stdout.write(s);
const temporalOut = prefixedWriter('[temporal] ', write);
let temporalQuiet = true; // its start-up chatter (services finding each other) is noise; shown if it fails

function serverOptions(env: Env): ClusterServerOptions {
  // The internal services keep their offsets from the frontend: moving TEMPORAL_PORT moves the whole block.
  const ports = shiftedPorts(env.TEMPORAL_PORT);
  return {
    db: {
      host: env.TEMPORAL_DB_HOST,
      port: env.TEMPORAL_DB_PORT,
      user: env.TEMPORAL_DB_USER,
      password: env.TEMPORAL_DB_PASSWORD,
    },
    databaseName: env.TEMPORAL_DB_NAME,
    visibilityDatabaseName: env.TEMPORAL_VISIBILITY_DB_NAME,
    ports: { ...ports, metrics: env.TEMPORAL_METRICS_PORT },
    onOutput: (chunk) => {
      if (!temporalQuiet) temporalOut(chunk);
    },
  };
}

function wantedPorts(env: Env, server: ClusterServerOptions, workerPorts: number[]): WantedPort[] {
  const p = server.ports;
  return [
    { port: p.frontend, use: 'Temporal frontend gRPC (TEMPORAL_PORT)' },
    { port: p.http, use: 'Temporal frontend HTTP' },
    { port: p.history, use: 'Temporal history' },
    { port: p.matching, use: 'Temporal matching' },
    { port: p.worker, use: 'Temporal worker service' },
    { port: p.frontendMembership, use: 'Temporal frontend membership' },
    { port: p.historyMembership, use: 'Temporal history membership' },
    { port: p.matchingMembership, use: 'Temporal matching membership' },
    { port: p.workerMembership, use: 'Temporal worker-service membership' },
    { port: p.metrics, use: 'Temporal metrics (TEMPORAL_METRICS_PORT)' },
    { port: env.GATEWAY_PORT, use: 'sandbox gateway (GATEWAY_PORT)' },
    { port: env.API_PORT, use: 'HTTP API (API_PORT)' },
    ...workerPorts.map((port, i) => ({
      port,
      use: `${workerName(i, workerPorts.length)} metrics (WORKER_METRICS_PORT)`,
    })),
  ];
}

function auditUrl(env: Env): string {
  const auth = env.TEMPORAL_DB_PASSWORD
    ? `${encodeURIComponent(env.TEMPORAL_DB_USER)}:${encodeURIComponent(env.TEMPORAL_DB_PASSWORD)}`
    : encodeURIComponent(env.TEMPORAL_DB_USER);
  return `postgres://${auth}@${env.TEMPORAL_DB_HOST}:${env.TEMPORAL_DB_PORT}/${env.AUDIT_DB_NAME}`;
}

async function main(): Promise<void> {
  const env = Env.parse(process.env);
  const options = serverOptions(env);
  const workerPorts = Array.from({ length: env.WORKERS }, (_, i) => env.WORKER_METRICS_PORT + i);
  await checkPostgres(options.db);
  await assertPortsFree(wantedPorts(env, options, workerPorts));
  provisionTemporalServer((line) => write(`${line}\n`));
  write('[cluster] setting up the Temporal databases (reused when present)...\n');
  await setupSchemas(options);
  await ensureDatabase(options.db, env.AUDIT_DB_NAME);
  const server = await startClusterServer(options);
  temporalQuiet = false;
  const supervisor = new Supervisor(write);
  for (const spec of appServices({
    temporalAddress: server.address,
    gatewayPort: env.GATEWAY_PORT,
    apiPort: env.API_PORT,
    workerMetricsPorts: workerPorts,
    webhookSecret: env.GATEWAY_WEBHOOK_SECRET,
    codecOrigins: [],
    shared: { DATABASE_URL: auditUrl(env) },
  }))
    supervisor.start(spec);
  banner(env, server.address, server.metricsUrl, workerPorts);
  await stopOnSignal(supervisor, server, write, () => {
    temporalQuiet = true;
  });
}

function banner(env: Env, address: string, temporalMetrics: string, workerPorts: number[]): void {
  const api = `http://127.0.0.1:${env.API_PORT}`;
  const key = env.API_KEYS ? '<a key from API_KEYS>' : DEV_API_KEY;
  const workers = workerPorts.map((p) => `http://127.0.0.1:${p}/metrics`).join('  ');
  write(
    [
      '',
      `  Temporal gRPC    ${address}  (Temporal server ${env.TEMPORAL_DB_NAME} on PostgreSQL ${env.TEMPORAL_DB_HOST}:${env.TEMPORAL_DB_PORT})`,
      `  Temporal metrics ${temporalMetrics}`,
      `  Sandbox gateway  http://127.0.0.1:${env.GATEWAY_PORT}`,
      `  HTTP API         ${api}  (OpenAPI: ${api}/docs, key: ${key})`,
      `  Workers          ${workerPorts.length} on one task queue, metrics: ${workers}`,
      `  Audit trail      ${auditUrl(env).replace(/:[^:@/]*@/, ':***@')}`,
      '  Try a payment:   npm run pay -- --amount 1999 --currency USD --card 4242424242424242 --key order-1',
      '  Stop:            Ctrl-C',
      '',
    ].join('\n') + '\n',
  );
}

main().catch((err) => {
  const known = [ToolError, PostgresUnavailableError, PortsTakenError].some((t) => err instanceof t);
  console.error(known ? `ERROR: ${(err as Error).message}` : err);
  process.exit(1);
});
