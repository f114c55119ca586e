import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type pino from 'pino';

/**
 * The one seam between the audit store and a database. Both backends speak the same SQL, so the store,
 * the migrations and the tests are written once; only connection handling differs per backend.
 */
export interface SqlExecutor {
  /** One statement with `$n` parameters; returns the result rows. */
  query<R = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<R[]>;
  /** A script of several statements without parameters (migration files). */
  exec(sql: string): Promise<void>;
}

export interface SqlAdapter extends SqlExecutor {
  readonly backend: 'postgres' | 'pglite';
  /** Runs `fn` on one connection inside BEGIN/COMMIT; rolls back if it throws. */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface SqlAdapterOptions {
  /** When set, use PostgreSQL; otherwise an embedded PGlite database stored in `dataDir`. */
  databaseUrl?: string;
  dataDir?: string;
  logger: pino.Logger;
}

export const DEFAULT_DATA_DIR = '.data/audit';

export async function openSqlAdapter(opts: SqlAdapterOptions): Promise<SqlAdapter> {
  if (opts.databaseUrl) {
    // Lazy imports: a PGlite deployment never loads pg, and a Postgres one never loads the wasm bundle.
    const { openPgAdapter } = await import('./pg-adapter');
    return openPgAdapter(opts.databaseUrl, opts.logger);
  }
  const dataDir = path.resolve(opts.dataDir ?? DEFAULT_DATA_DIR);
  // PGlite only creates the last path segment itself.
  await mkdir(dataDir, { recursive: true });
  const { openPgliteAdapter } = await import('./pglite-adapter');
  return openPgliteAdapter(dataDir);
}
