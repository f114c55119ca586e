import type pino from 'pino';
import type { PaymentStatus } from '../shared/payment-status';
import { ROW_COLUMNS, toAuditRow, type DbRow } from './rows';
import { createDisputeAudit } from './dispute-store';
import type { SqlAdapter } from './sql';
import type { AuditEntry, AuditRow, AuditStore } from './store';
import { AuditInputError, validateEntry, validatePaymentId, validateStatus, type ValidEntry } from './validate';

const DEFAULT_LIMIT = 1000;
const MAX_LIMIT = 10_000;

const INSERT = `INSERT INTO payment_status (payment_id, event_key, status, "timestamp", metadata)
  VALUES ($1, $2, $3, COALESCE($4::timestamptz, now()), $5::jsonb)
  ON CONFLICT (payment_id, event_key) DO NOTHING
  RETURNING id`;

/** The store over an already-migrated database; `openAuditStore` is the usual way in. */
export function createAuditStore(db: SqlAdapter, logger: pino.Logger): AuditStore {
  let closing: Promise<void> | undefined;
  const select = async (sql: string, params: unknown[]): Promise<AuditRow[]> =>
    (await db.query<DbRow>(sql, params)).map(toAuditRow);

  return {
    ...createDisputeAudit(db),
    async append(entry: AuditEntry) {
      // Validation first: bad input must never reach the database, not even as a failed statement.
      const valid = validateEntry(entry);
      const params = [valid.paymentId, valid.eventKey, valid.status, valid.occurredAt, valid.metadataJson];
      const inserted = (await db.query(INSERT, params)).length === 1;
      if (!inserted) await checkDuplicateMatches(db, valid, logger);
      return { inserted };
    },
    // Every method is async so a validation error arrives as a rejected promise, never a synchronous throw.
    async history(paymentId) {
      const sql = `SELECT ${ROW_COLUMNS} FROM payment_status WHERE payment_id = $1 ORDER BY id`;
      return select(sql, [validatePaymentId(paymentId)]);
    },
    async currentStatus(paymentId) {
      const sql = `SELECT ${ROW_COLUMNS} FROM payment_current_status WHERE payment_id = $1`;
      return (await select(sql, [validatePaymentId(paymentId)]))[0];
    },
    async byStatus(status: PaymentStatus, opts?: { limit?: number }) {
      const sql = `SELECT ${ROW_COLUMNS} FROM payment_current_status WHERE status = $1 ORDER BY id LIMIT $2`;
      return select(sql, [validateStatus(status), validateLimit(opts?.limit)]);
    },
    async allRows(opts?: { since?: Date }) {
      const sql = `SELECT ${ROW_COLUMNS} FROM payment_status
        WHERE $1::timestamptz IS NULL OR "timestamp" >= $1 ORDER BY id`;
      return select(sql, [validateSince(opts?.since)]);
    },
    // Idempotent: shutdown paths (signal handler plus finally) often both close.
    close: () => (closing ??= db.close()),
  };
}

/**
 * A retried activity sends the same status for the same event key. A different status means the workflow
 * derived the key non-deterministically, and silently keeping the old row would lose a status, so refuse.
 */
async function checkDuplicateMatches(db: SqlAdapter, entry: ValidEntry, logger: pino.Logger): Promise<void> {
  const [existing] = await db.query<{ status: string }>(
    'SELECT status FROM payment_status WHERE payment_id = $1 AND event_key = $2',
    [entry.paymentId, entry.eventKey],
  );
  if (existing && existing.status !== entry.status) {
    throw new AuditInputError(
      'eventKey',
      `${entry.eventKey} is already recorded for payment ${entry.paymentId} with status ${existing.status}, not ${entry.status}`,
    );
  }
  logger.debug({ paymentId: entry.paymentId, eventKey: entry.eventKey }, 'audit: duplicate append ignored');
}

function validateLimit(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
    throw new AuditInputError('limit', `must be an integer between 1 and ${MAX_LIMIT}`);
  }
  return limit;
}

function validateSince(since: Date | undefined): string | null {
  if (since === undefined) return null;
  if (!(since instanceof Date) || Number.isNaN(since.getTime())) {
    throw new AuditInputError('since', 'must be a valid Date');
  }
  return since.toISOString();
}
