/**
 * A real Temporal cluster for a test file: Temporal's own server (cluster/temporal.yaml, the config `npm run
 * cluster` uses) on the local PostgreSQL, in databases of its own that are dropped afterwards, on free ports.
 * A missing server binary or PostgreSQL fails the file: pretest builds the server (`npm run provision`).
 */
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { freePort } from '../../scripts/lib/free-port';
import { dropDatabase, ensureDatabase, type PgTarget } from '../../scripts/lib/postgres';
import {
  isServerProvisioned,
  SERVER_BINARY,
  setupSchemas,
  startClusterServer,
  type ClusterServer,
  type ClusterServerOptions,
  type ServerPorts,
} from '../../scripts/lib/temporal-server';
import { describeFailures, replayAllHistories, type ReplayReport } from './replay-all';

export const TEST_PG: PgTarget = { host: '127.0.0.1', port: 5432, user: 'postgres' };

export interface TestCluster {
  address: string;
  server: ClusterServer;
  /** A PostgreSQL audit database of this cluster's own (created empty, dropped at stop). */
  auditDatabaseUrl: string;
  /** Replays every workflow history the cluster holds against today's workflow code. */
  replay(): Promise<ReplayReport>;
  stop(): Promise<void>;
}

/** Temporal stores membership ports as PostgreSQL smallint: they must be below 32768, under the ephemeral range. */
const MEMBERSHIP_KEYS = new Set<keyof ServerPorts>([
  'frontendMembership',
  'historyMembership',
  'matchingMembership',
  'workerMembership',
]);

async function freeLowPort(): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    const free = await new Promise<boolean>((resolve) => {
      const s = net.createServer();
      s.once('error', () => resolve(false));
      s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
    });
    if (free) return port;
  }
}

async function freePorts(): Promise<ServerPorts> {
  const keys: (keyof ServerPorts)[] = [
    'frontend',
    'http',
    'history',
    'matching',
    'worker',
    'frontendMembership',
    'historyMembership',
    'matchingMembership',
    'workerMembership',
    'metrics',
  ];
  const ports: Partial<ServerPorts> = {};
  const seen = new Set<number>();
  for (const k of keys) {
    const pick = MEMBERSHIP_KEYS.has(k) ? freeLowPort : freePort;
    let p = await pick();
    while (seen.has(p)) p = await pick();
    seen.add(p);
    ports[k] = p;
  }
  return ports as ServerPorts;
}

export async function startTestCluster(): Promise<TestCluster> {
  if (!isServerProvisioned()) {
    throw new Error(`Temporal server not found at ${SERVER_BINARY}: run "npm run provision" (pretest does).`);
  }
  const name = `dp_test_${process.pid}_${randomBytes(3).toString('hex')}`;
  const options: ClusterServerOptions = {
    db: TEST_PG,
    databaseName: name,
    visibilityDatabaseName: `${name}_visibility`,
    ports: await freePorts(),
  };
  const audit = `${name}_audit`;
  const databases = [options.databaseName, options.visibilityDatabaseName, audit];
  await setupSchemas(options);
  await ensureDatabase(TEST_PG, audit);
  let server: ClusterServer;
  try {
    server = await startClusterServer(options);
  } catch (err) {
    for (const db of databases) await dropDatabase(TEST_PG, db);
    throw err;
  }
  return {
    address: server.address,
    server,
    auditDatabaseUrl: `postgres://${TEST_PG.user}@${TEST_PG.host}:${TEST_PG.port}/${audit}`,
    replay: () => replayAllHistories(server.address),
    stop: async () => {
      await server.stop();
      for (const db of databases) await dropDatabase(TEST_PG, db);
    },
  };
}

export { describeFailures };
