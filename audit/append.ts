/** One payment_status row, written on any executor: the store's adapter, or a transaction that also claims a key. */
import type pino from 'pino';
import type { SqlExecutor } from './types';
import { AuditInputError, type ValidEntry } from './validate';

const INSERT = `INSERT INTO payment_status (payment_id, event_key, status, "timestamp", metadata)
  VALUES ($1, $2, $3, COALESCE($4::timestamptz, now()), $5::jsonb)
  ON CONFLICT (payment_id, event_key) DO NOTHING
  RETURNING id`;

/** Same (paymentId, eventKey) twice → one row; the second call returns inserted: false. */
export async function appendEntry(
  db: SqlExecutor,
  valid: ValidEntry,
  logger: pino.Logger,
): Promise<{ inserted: boolean }> {
  const params = [valid.paymentId, valid.eventKey, valid.status, valid.occurredAt, valid.metadataJson];
  const inserted = (await db.query(INSERT, params)).length === 1;
  if (!inserted) await checkDuplicateMatches(db, valid, logger);
  return { inserted };
}

/**
 * A retried activity sends the same status for the same event key. A different status means the workflow
 * derived the key non-deterministically, and silently keeping the old row would lose a status, so refuse.
 */
async function checkDuplicateMatches(db: SqlExecutor, entry: ValidEntry, logger: pino.Logger): Promise<void> {
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
