/** The few PostgreSQL checks the cluster's set-up needs: is the server there, does a database or table exist. */
import { Client } from 'pg';

export interface PgTarget {
  host: string;
  port: number;
  user: string;
  password?: string;
}

export class PostgresUnavailableError extends Error {}

async function withClient<T>(target: PgTarget, database: string, fn: (c: Client) => Promise<T>): Promise<T> {
  const client = new Client({ ...target, database, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
  } catch (err) {
    throw new PostgresUnavailableError(
      `PostgreSQL is not reachable at ${target.host}:${target.port} as ${target.user} (${(err as Error).message}). ` +
        'Start it (on Debian: `apt-get install postgresql && service postgresql start`) or point ' +
        'TEMPORAL_DB_HOST / TEMPORAL_DB_PORT / TEMPORAL_DB_USER / TEMPORAL_DB_PASSWORD at one.',
    );
  }
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Throws PostgresUnavailableError with what to do when the server cannot be reached. */
export async function checkPostgres(target: PgTarget): Promise<void> {
  await withClient(target, 'postgres', (c) => c.query('SELECT 1'));
}

export async function ensureDatabase(target: PgTarget, database: string): Promise<boolean> {
  return withClient(target, 'postgres', async (c) => {
    const found = await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (found.rowCount) return false;
    // Identifiers cannot be bound parameters; pg quotes it.
    await c.query(`CREATE DATABASE ${c.escapeIdentifier(database)}`);
    return true;
  });
}

export async function hasTable(target: PgTarget, database: string, table: string): Promise<boolean> {
  return withClient(target, database, async (c) => {
    const found = await c.query('SELECT to_regclass($1) AS t', [`public.${table}`]);
    return found.rows[0].t !== null;
  });
}

export async function dropDatabase(target: PgTarget, database: string): Promise<void> {
  await withClient(target, 'postgres', (c) =>
    c.query(`DROP DATABASE IF EXISTS ${c.escapeIdentifier(database)} WITH (FORCE)`),
  );
}
