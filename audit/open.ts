/**
 * Opens the audit trail: PostgreSQL when a database URL is given, else embedded PGlite in a data dir. The only
 * module that chooses a backend; the adapters and the store it wires up never import back into it.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import pino from 'pino';
import { DEFAULT_AUDIT_DATA_DIR } from '../config/database';
import { runMigrations } from './migrate';
import { createAuditStore } from './sql-store';
import type { AuditStore, SqlAdapter } from './types';

interface OpenOptions {
  /** When set, use PostgreSQL; otherwise an embedded PGlite database stored in `dataDir`. */
  databaseUrl?: string;
  dataDir?: string;
}

/** A connection to the chosen backend, without migrations (`npm run migrate` and tests apply them). */
export async function openSqlAdapter(opts: OpenOptions & { logger: pino.Logger }): Promise<SqlAdapter> {
  if (opts.databaseUrl) {
    // Lazy imports: a PGlite deployment never loads pg, and a Postgres one never loads the wasm bundle.
    const { openPgAdapter } = await import('./pg-adapter');
    return openPgAdapter(opts.databaseUrl, opts.logger);
  }
  const dataDir = path.resolve(opts.dataDir ?? DEFAULT_AUDIT_DATA_DIR);
  // PGlite only creates the last path segment itself.
  await mkdir(dataDir, { recursive: true });
  const { openPgliteAdapter } = await import('./pglite-adapter');
  return openPgliteAdapter(dataDir);
}

/**
 * Opens PostgreSQL when `databaseUrl` is set, else PGlite under `dataDir` (default `.data/audit`), and
 * applies pending migrations before returning, so callers never see an old schema.
 */
export async function openAuditStore(opts: OpenOptions & { logger?: pino.Logger }): Promise<AuditStore> {
  const logger = opts.logger ?? pino({ name: 'audit' });
  const db = await openSqlAdapter({ databaseUrl: opts.databaseUrl, dataDir: opts.dataDir, logger });
  try {
    await runMigrations(db, logger);
  } catch (err) {
    await db.close();
    throw err;
  }
  logger.debug({ backend: db.backend }, 'audit: store open');
  return createAuditStore(db, logger);
}
