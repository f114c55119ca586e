import pino from 'pino';
import type { PaymentStatus } from '../shared/payment-status';
import { runMigrations } from './migrate';
import { openSqlAdapter } from './sql';
import type { DisputeAuditEntry, DisputeAuditRow } from './dispute-store';
import { createAuditStore } from './sql-store';
import type { ClaimedAppend, KeyClaimRequest, KeyClaimResult } from './idempotency-store';

export { AuditInputError } from './validate';
export type { DisputeAuditEntry, DisputeAuditRow } from './dispute-store';
export type { ClaimedAppend, KeyClaimRequest, KeyClaimResult } from './idempotency-store';

export interface AuditEntry {
  paymentId: string;
  /** Deterministic per event within a payment (e.g. a sequence number): the idempotency key of the write. */
  eventKey: string;
  status: PaymentStatus;
  metadata?: Record<string, unknown>;
  occurredAt?: Date;
}

export interface AuditRow {
  id: number;
  paymentId: string;
  eventKey: string;
  status: PaymentStatus;
  timestamp: Date;
  metadata: Record<string, unknown>;
}

export interface AuditStore {
  /** Same (paymentId, eventKey) twice → one row; the second call returns inserted: false. */
  append(entry: AuditEntry): Promise<{ inserted: boolean }>;
  /** Every row of one payment, ordered by id (write order). */
  history(paymentId: string): Promise<AuditRow[]>;
  currentStatus(paymentId: string): Promise<AuditRow | undefined>;
  /** Payments whose current status is `status`, oldest first. */
  byStatus(status: PaymentStatus, opts?: { limit?: number }): Promise<AuditRow[]>;
  /** Every row (with `timestamp` >= since), ordered by id; for reconciliation. */
  allRows(opts?: { since?: Date }): Promise<AuditRow[]>;
  /** Same (disputeId, eventKey) twice → one row, as for payments. */
  appendDispute(entry: DisputeAuditEntry): Promise<{ inserted: boolean }>;
  disputeHistory(disputeId: string): Promise<DisputeAuditRow[]>;
  /**
   * Records that `runId` accepted `idempotencyKey` (kept for good, never deleted): claimed when inserted or
   * already this run's (an activity retry); otherwise the earlier claim's fingerprint and run.
   */
  claimIdempotencyKey(request: KeyClaimRequest): Promise<KeyClaimResult>;
  /** `append` and `claimIdempotencyKey` in one transaction; the row is written only when the claim is this run's. */
  appendClaimed(entry: AuditEntry, claim: KeyClaimRequest): Promise<ClaimedAppend>;
  close(): Promise<void>;
}

/**
 * Opens PostgreSQL when `databaseUrl` is set, else PGlite under `dataDir` (default `.data/audit`), and
 * applies pending migrations before returning, so callers never see an old schema.
 */
export async function openAuditStore(opts: {
  databaseUrl?: string;
  dataDir?: string;
  logger?: pino.Logger;
}): Promise<AuditStore> {
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
