import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import pino from 'pino';

/** The machine's PostgreSQL (trust auth). Tests never skip when it is down: they fail, loudly. */
const ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

export const silentLogger = pino({ level: 'silent' });

export type BackendName = 'postgres' | 'pglite';
export const BACKENDS: BackendName[] = ['postgres', 'pglite'];

export interface Backend {
  /** Options for openAuditStore / openSqlAdapter pointing at this run's fresh database. */
  options: { databaseUrl?: string; dataDir?: string };
  dispose(): Promise<void>;
}

/** A brand-new database (Postgres) or data dir (PGlite): the table cannot be truncated between runs. */
export async function createBackend(name: BackendName): Promise<Backend> {
  return name === 'postgres' ? createPostgresDatabase() : createPgliteDir();
}

async function createPostgresDatabase(): Promise<Backend> {
  const dbName = `dp_audit_test_${randomBytes(6).toString('hex')}`;
  await withAdmin((admin) => admin.query(`CREATE DATABASE ${dbName}`));
  return {
    options: { databaseUrl: `postgres://postgres@127.0.0.1:5432/${dbName}` },
    dispose: () => withAdmin((admin) => admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`)),
  };
}

async function withAdmin(fn: (admin: Client) => Promise<unknown>): Promise<void> {
  const admin = new Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 5000 });
  try {
    await admin.connect();
  } catch (err) {
    throw new Error(`PostgreSQL is not reachable at ${ADMIN_URL}; the Postgres audit suite needs it: ${err}`);
  }
  try {
    await fn(admin);
  } finally {
    await admin.end();
  }
}

async function createPgliteDir(): Promise<Backend> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'dp-audit-test-'));
  return {
    options: { dataDir: path.join(dir, 'audit') },
    dispose: () => rm(dir, { recursive: true, force: true }),
  };
}
