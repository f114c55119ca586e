import type { PaymentStatus } from '../shared/payment-status';
import type { AuditRow } from './types';

/** Column list shared by every read so both the table and the view map through `toAuditRow`. */
export const ROW_COLUMNS = 'id, payment_id, event_key, status, "timestamp", metadata';

export interface DbRow {
  id: number | string;
  payment_id: string;
  event_key: string;
  status: string;
  timestamp: Date | string;
  metadata: Record<string, unknown> | string | null;
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
    timestamp: row.timestamp instanceof Date ? row.timestamp : new Date(row.timestamp),
    metadata: typeof row.metadata === 'string' ? JSON.parse(row.metadata) : (row.metadata ?? {}),
  };
}
