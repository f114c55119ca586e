/**
 * The dispute half of the audit trail: append-only and idempotent by event key like payments (a repeated key inserts
 * nothing), but a repeated key with another status is not checked, and the database sets every timestamp.
 */
import { DISPUTE_ID_PATTERN } from '../shared/ids';
import { isDisputeStatus, DISPUTE_STATUSES, type DisputeStatus } from '../shared/dispute-status';
import { toDisputeRow, type DisputeDbRow } from './rows';
import type { DisputeAuditEntry, DisputeAuditRow, SqlAdapter } from './types';
import { AuditInputError, validateEventKey, validateMetadata, validatePaymentId } from './validate';

const INSERT = `INSERT INTO dispute_status (dispute_id, payment_id, event_key, status, metadata)
  VALUES ($1, $2, $3, $4, $5::jsonb)
  ON CONFLICT (dispute_id, event_key) DO NOTHING
  RETURNING id`;

export function createDisputeAudit(db: SqlAdapter) {
  return {
    async appendDispute(entry: DisputeAuditEntry): Promise<{ inserted: boolean }> {
      const params = [
        validateDisputeId(entry.disputeId),
        entry.paymentId === undefined ? null : validatePaymentId(entry.paymentId),
        validateEventKey(entry.eventKey),
        validateDisputeStatus(entry.status),
        validateMetadata(entry.metadata),
      ];
      return { inserted: (await db.query(INSERT, params)).length === 1 };
    },
    async disputeHistory(disputeId: string): Promise<DisputeAuditRow[]> {
      const rows = await db.query<DisputeDbRow>(
        `SELECT id, dispute_id, payment_id, event_key, status, "timestamp", metadata
         FROM dispute_status WHERE dispute_id = $1 ORDER BY id`,
        [validateDisputeId(disputeId)],
      );
      return rows.map(toDisputeRow);
    },
  };
}

function validateDisputeId(value: unknown): string {
  if (typeof value !== 'string' || !DISPUTE_ID_PATTERN.test(value)) {
    throw new AuditInputError('disputeId', 'must be 1-255 letters, digits, _ or -');
  }
  return value;
}

function validateDisputeStatus(value: unknown): DisputeStatus {
  if (typeof value !== 'string' || !isDisputeStatus(value)) {
    throw new AuditInputError('status', `must be one of ${DISPUTE_STATUSES.join(', ')}`);
  }
  return value;
}
