/**
 * The AuditStore of types.ts, written once in SQL for both backends: payment appends and reads here, the dispute
 * and idempotency-key halves from their own files.
 */
import type pino from 'pino';
import type { PaymentStatus } from '../shared/payment-status';
import { appendEntry } from './append';
import { createIdempotencyAudit } from './idempotency-store';
import { ROW_COLUMNS, toAuditRow, type DbRow } from './rows';
import { createDisputeAudit } from './dispute-store';
import type { AuditEntry, AuditRow, AuditStore, SqlAdapter } from './types';
import { AuditInputError, validateDate, validateEntry, validatePaymentId, validateStatus } from './validate';

const DEFAULT_LIMIT = 1000;
const MAX_LIMIT = 10_000;

/** The store over an already-migrated database; `openAuditStore` is the usual way in. */
export function createAuditStore(db: SqlAdapter, logger: pino.Logger): AuditStore {
  let closing: Promise<void> | undefined;
  const select = async (sql: string, params: unknown[]): Promise<AuditRow[]> =>
    (await db.query<DbRow>(sql, params)).map(toAuditRow);

  return {
    ...createDisputeAudit(db),
    ...createIdempotencyAudit(db, logger),
    async append(entry: AuditEntry) {
      // Validation first: bad input must never reach the database, not even as a failed statement.
      return appendEntry(db, validateEntry(entry), logger);
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
    async countSucceededByCustomer(customerId, excludePaymentId) {
      // Served by migration 006's partial index; rows written before it carry no customerId and are not counted.
      const sql = `SELECT count(DISTINCT payment_id)::int AS n FROM payment_status
        WHERE status = 'succeeded' AND metadata->>'customerId' = $1 AND payment_id <> $2`;
      const id = validateCustomerId(customerId);
      const [row] = await db.query<{ n: number }>(sql, [id, validatePaymentId(excludePaymentId)]);
      return Number(row?.n ?? 0);
    },
    async allRows(opts?: { since?: Date }) {
      const sql = `SELECT ${ROW_COLUMNS} FROM payment_status
        WHERE $1::timestamptz IS NULL OR "timestamp" >= $1 ORDER BY id`;
      return select(sql, [validateDate('since', opts?.since)]);
    },
    // Idempotent: shutdown paths (signal handler plus finally) often both close.
    close: () => (closing ??= db.close()),
  };
}

function validateCustomerId(customerId: string): string {
  if (typeof customerId !== 'string' || customerId.length < 1 || customerId.length > 128) {
    throw new AuditInputError('customerId', 'must be 1 to 128 characters');
  }
  return customerId;
}

function validateLimit(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
    throw new AuditInputError('limit', `must be an integer between 1 and ${MAX_LIMIT}`);
  }
  return limit;
}
