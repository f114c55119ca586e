/** Database rows to AuditRow / DisputeAuditRow: one mapping for both drivers, whatever types they return. */
import type { DisputeStatus } from '../shared/dispute-status';
import type { PaymentStatus } from '../shared/payment-status';
import type { AuditRow, DisputeAuditRow } from './types';

/** Column list shared by every read so both the table and the view map through `toAuditRow`. */
export const ROW_COLUMNS = 'id, payment_id, event_key, status, "timestamp", metadata';

/** The columns `payment_status` and `dispute_status` share, as either driver returns them. */
interface StatusDbRow {
  id: number | string;
  event_key: string;
  status: string;
  timestamp: Date | string;
  metadata: Record<string, unknown> | string | null;
}

export interface DbRow extends StatusDbRow {
  payment_id: string;
}

export interface DisputeDbRow extends StatusDbRow {
  dispute_id: string;
  payment_id: string | null;
}

/**
 * pg returns BIGINT as a string and PGlite as a number; ids stay far below 2^53, so a number is safe.
 * The status CHECK constraint guarantees `status` is a PaymentStatus.
 */
export function toAuditRow(row: DbRow): AuditRow {
  return {
    id: Number(row.id),
    paymentId: row.payment_id,
    eventKey: row.event_key,
    status: row.status as PaymentStatus,
    timestamp: toDate(row.timestamp),
    metadata: toMetadata(row.metadata),
  };
}

/** The same for `dispute_status`, whose CHECK constraint guarantees a DisputeStatus. */
export function toDisputeRow(row: DisputeDbRow): DisputeAuditRow {
  return {
    id: Number(row.id),
    disputeId: row.dispute_id,
    paymentId: row.payment_id ?? undefined,
    eventKey: row.event_key,
    status: row.status as DisputeStatus,
    timestamp: toDate(row.timestamp),
    metadata: toMetadata(row.metadata),
  };
}

function toDate(value: Date | string): Date {
  return value instanceof Date ? value : new Date(value);
}

function toMetadata(value: StatusDbRow['metadata']): Record<string, unknown> {
  return typeof value === 'string' ? JSON.parse(value) : (value ?? {});
}
