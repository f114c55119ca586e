/** The PostgreSQL backend (DATABASE_URL): the SQL seam of types.ts over a pg connection pool. */
import { Pool, type PoolClient } from 'pg';
import type pino from 'pino';
import type { SqlAdapter, SqlExecutor } from './types';

/** A pooled PostgreSQL backend; concurrent appends run on separate connections. */
export async function openPgAdapter(connectionString: string, logger: pino.Logger): Promise<SqlAdapter> {
  const pool = new Pool({ connectionString, max: 10, connectionTimeoutMillis: 10_000 });
  // An idle client losing its connection emits 'error' on the pool; unhandled, that would crash the worker.
  // The next query simply gets a fresh connection, so logging is all there is to do.
  pool.on('error', (err) => logger.warn({ err }, 'audit: idle PostgreSQL connection failed'));
  // Fail at start-up, not on the first payment, when the database is unreachable.
  await pool.query('SELECT 1').catch(async (err: unknown) => {
    await pool.end();
    throw err;
  });
  return {
    backend: 'postgres',
    ...executor(pool),
    transaction: (fn) => inTransaction(pool, fn),
    close: () => pool.end(),
  };
}

function executor(target: Pool | PoolClient): SqlExecutor {
  return {
    async query<R>(sql: string, params: readonly unknown[] = []): Promise<R[]> {
      const result = await target.query(sql, params as unknown[]);
      return result.rows as R[];
    },
    async exec(sql: string): Promise<void> {
      // No parameters: pg uses the simple protocol, which accepts several statements in one string.
      await target.query(sql);
    },
  };
}

async function inTransaction<T>(pool: Pool, fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await fn(executor(client));
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}
