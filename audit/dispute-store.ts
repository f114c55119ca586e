/** The dispute half of the audit trail: the same append-only, idempotent-by-event-key rules as payments. */
import { DISPUTE_ID_PATTERN } from '../shared/ids';
import { isDisputeStatus, DISPUTE_STATUSES, type DisputeStatus } from '../shared/dispute-status';
import type { DisputeAuditEntry, DisputeAuditRow, SqlAdapter } from './types';
import { AuditInputError, validateMetadata, validatePaymentId } from './validate';

const INSERT = `INSERT INTO dispute_status (dispute_id, payment_id, event_key, status, metadata)
  VALUES ($1, $2, $3, $4, $5::jsonb)
  ON CONFLICT (dispute_id, event_key) DO NOTHING
  RETURNING id`;

interface DbRow {
  id: number | string;
  dispute_id: string;
  payment_id: string | null;
  event_key: string;
  status: string;
  timestamp: Date | string;
  metadata: Record<string, unknown> | string | null;
}

export function createDisputeAudit(db: SqlAdapter) {
  return {
    async appendDispute(entry: DisputeAuditEntry): Promise<{ inserted: boolean }> {
      const params = [
        validateDisputeId(entry.disputeId),
        entry.paymentId === undefined ? null : validatePaymentId(entry.paymentId),
        validateKey(entry.eventKey),
        validateDisputeStatus(entry.status),
        validateMetadata(entry.metadata),
      ];
      return { inserted: (await db.query(INSERT, params)).length === 1 };
    },
    async disputeHistory(disputeId: string): Promise<DisputeAuditRow[]> {
      const rows = await db.query<DbRow>(
        `SELECT id, dispute_id, payment_id, event_key, status, "timestamp", metadata
         FROM dispute_status WHERE dispute_id = $1 ORDER BY id`,
        [validateDisputeId(disputeId)],
      );
      return rows.map(toRow);
    },
  };
}

function toRow(row: DbRow): DisputeAuditRow {
  return {
    id: Number(row.id),
    disputeId: row.dispute_id,
    paymentId: row.payment_id ?? undefined,
    eventKey: row.event_key,
    status: row.status as DisputeStatus,
    timestamp: row.timestamp instanceof Date ? row.timestamp : new Date(row.timestamp),
    metadata: typeof row.metadata === 'string' ? JSON.parse(row.metadata) : (row.metadata ?? {}),
  };
}

function validateDisputeId(value: unknown): string {
  if (typeof value !== 'string' || !DISPUTE_ID_PATTERN.test(value)) {
    throw new AuditInputError('disputeId', 'must be 1-255 letters, digits, _ or -');
  }
  return value;
}

function validateKey(value: unknown): string {
  if (typeof value !== 'string' || value.length < 1 || value.length > 200) {
    throw new AuditInputError('eventKey', 'must be a string of 1-200 characters');
  }
  return value;
}

function validateDisputeStatus(value: unknown): DisputeStatus {
  if (typeof value !== 'string' || !isDisputeStatus(value)) {
    throw new AuditInputError('status', `must be one of ${DISPUTE_STATUSES.join(', ')}`);
  }
  return value;
}
