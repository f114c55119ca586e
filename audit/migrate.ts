/**
 * The schema's versioned migrations (audit/migrations/NNN_name.sql): applied in order, once, under a lock, and
 * refused when an applied file was edited. `openAuditStore` and `npm run migrate` both run them.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type pino from 'pino';
import type { SqlAdapter, SqlExecutor } from './types';

export const MIGRATIONS_DIR = path.join(__dirname, 'migrations');

/** Any constant works; it only has to be the same for every process migrating the same database. */
const MIGRATION_LOCK_KEY = 7_230_514;
const FILE_NAME = /^(\d{3})_([a-z0-9_]+)\.sql$/;

interface Migration {
  version: number;
  name: string;
  sql: string;
  checksum: string;
}

interface MigrationResult {
  applied: string[];
  currentVersion: number;
}

/** Reads `NNN_name.sql` files in version order; any other file name is an error, not silently ignored. */
export async function loadMigrations(dir: string = MIGRATIONS_DIR): Promise<Migration[]> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.sql')).sort();
  const migrations = await Promise.all(files.map((file) => loadMigration(dir, file)));
  migrations.forEach((m, i) => {
    if (i > 0 && m.version === migrations[i - 1].version) throw new Error(`duplicate migration version ${m.version}`);
  });
  return migrations;
}

async function loadMigration(dir: string, file: string): Promise<Migration> {
  const match = FILE_NAME.exec(file);
  if (!match) throw new Error(`migration file ${file} must be named NNN_name.sql`);
  const sql = await readFile(path.join(dir, file), 'utf8');
  // Line endings normalised so a Windows checkout does not look like an edited migration.
  const checksum = createHash('sha256').update(sql.replace(/\r\n/g, '\n')).digest('hex');
  return { version: Number(match[1]), name: `${match[1]}_${match[2]}`, sql, checksum };
}

/**
 * Applies pending migrations in one transaction, so a crash leaves the schema either before or after.
 * The advisory lock makes concurrent start-ups (several workers, `npm run migrate`) take turns; the
 * loser then sees the migrations as applied and does nothing.
 */
export async function runMigrations(db: SqlAdapter, logger: pino.Logger, dir?: string): Promise<MigrationResult> {
  const migrations = await loadMigrations(dir);
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
    await tx.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version INTEGER PRIMARY KEY, name TEXT NOT NULL, checksum TEXT NOT NULL,
      applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`);
    const done = await appliedChecksums(tx);
    verifyUnchanged(migrations, done, logger);
    const pending = migrations.filter((m) => !done.has(m.version));
    for (const m of pending) {
      await tx.exec(m.sql);
      await tx.query('INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)', [
        m.version,
        m.name,
        m.checksum,
      ]);
      logger.info({ migration: m.name }, 'audit: applied migration');
    }
    const currentVersion = Math.max(0, ...done.keys(), ...pending.map((m) => m.version));
    return { applied: pending.map((m) => m.name), currentVersion };
  });
}

async function appliedChecksums(tx: SqlExecutor): Promise<Map<number, string>> {
  const rows = await tx.query<{ version: number; checksum: string }>(
    'SELECT version, checksum FROM schema_migrations ORDER BY version',
  );
  return new Map(rows.map((r) => [Number(r.version), r.checksum]));
}

/** An applied migration edited afterwards means databases differ silently; refuse to start instead. */
function verifyUnchanged(migrations: Migration[], done: Map<number, string>, logger: pino.Logger): void {
  const known = new Set(migrations.map((m) => m.version));
  for (const m of migrations) {
    const checksum = done.get(m.version);
    if (checksum !== undefined && checksum !== m.checksum) {
      throw new Error(`migration ${m.name} was changed after it was applied; add a new migration instead`);
    }
  }
  // A newer release may already have migrated this database (rolling deploy); old code keeps working.
  const unknown = [...done.keys()].filter((v) => !known.has(v));
  if (unknown.length > 0) logger.warn({ versions: unknown }, 'audit: database has migrations this code does not know');
}
