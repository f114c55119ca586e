/**
 * The retry budget's token bucket in PostgreSQL, so every worker of the system draws from one bucket. One row
 * per bucket, taken with one statement under a row lock, refilled by the database's own clock (workers' clocks
 * may disagree; the database's is the same for all). A mutable counter, not audit data: it lives in its own table
 * (the audit tables are append-only), created here if missing, and needs UPDATE on it.
 */
import { Pool } from 'pg';
import type { Logger } from '../logging/logger';
import { denialDelayMs, type RetryBudget, type RetryBudgetSettings, type TokenAnswer } from './retry-budget';

const CREATE = `
CREATE TABLE IF NOT EXISTS retry_budget (
  name text PRIMARY KEY,
  tokens double precision NOT NULL,
  refilled_at timestamptz NOT NULL
)`;

/**
 * Refill since the last take (never backwards: a statement that waited for the lock started earlier), then take one
 * token if there is a whole one. `level` is what was there before this take.
 */
const TAKE = `
WITH current AS (
  SELECT LEAST($3::float8, tokens + GREATEST(0, EXTRACT(EPOCH FROM (now() - refilled_at))) * $2::float8) AS level
  FROM retry_budget WHERE name = $1 FOR UPDATE
)
UPDATE retry_budget AS b
SET tokens = CASE WHEN current.level >= 1 THEN current.level - 1 ELSE current.level END,
    refilled_at = GREATEST(b.refilled_at, now())
FROM current WHERE b.name = $1
RETURNING current.level AS level`;

export async function openPostgresRetryBudget(opts: {
  databaseUrl: string;
  bucket: string;
  settings: RetryBudgetSettings;
  logger: Logger;
}): Promise<RetryBudget> {
  const pool = new Pool({ connectionString: opts.databaseUrl, max: 4, connectionTimeoutMillis: 10_000 });
  pool.on('error', (err) => opts.logger.warn({ err }, 'retry budget: idle PostgreSQL connection failed'));
  try {
    await createTable(pool);
    // A new bucket starts full; an existing one keeps its level (another worker may be draining it).
    await pool.query(
      'INSERT INTO retry_budget (name, tokens, refilled_at) VALUES ($1, $2, now()) ON CONFLICT (name) DO NOTHING',
      [opts.bucket, opts.settings.burst],
    );
  } catch (err) {
    await pool.end();
    throw err;
  }
  const { settings } = opts;
  return {
    backend: 'postgres',
    async take(): Promise<TokenAnswer> {
      const { rows } = await pool.query<{ level: number }>(TAKE, [opts.bucket, settings.ratePerSecond, settings.burst]);
      const level = Number(rows[0]?.level ?? 0);
      return level >= 1 ? { granted: true } : { granted: false, retryInMs: denialDelayMs(level, settings) };
    },
    close: () => pool.end(),
  };
}

/**
 * Two workers starting together may both try to create the table (IF NOT EXISTS is not atomic in PostgreSQL); the
 * loser's duplicate error is harmless: 23505 (pg_type's unique index), 42P07 (table) or 42710 (its row type).
 */
const DUPLICATE_OBJECT_CODES = new Set(['23505', '42P07', '42710']);

async function createTable(pool: Pool): Promise<void> {
  try {
    await pool.query(CREATE);
  } catch (err) {
    if (!DUPLICATE_OBJECT_CODES.has((err as { code?: string }).code ?? '')) throw err;
  }
}
