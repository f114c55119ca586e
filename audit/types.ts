/**
 * The audit trail's contract in one place: the store's interface with its entries and rows (payments, disputes,
 * idempotency-key claims) and the SQL seam every backend implements. Types only, so any file can import it.
 */
import type { DisputeStatus } from '../shared/dispute-status';
import type { PaymentStatus } from '../shared/payment-status';

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

export interface DisputeAuditEntry {
  disputeId: string;
  paymentId?: string;
  eventKey: string;
  status: DisputeStatus;
  metadata?: Record<string, unknown>;
}

export interface DisputeAuditRow {
  id: number;
  disputeId: string;
  paymentId?: string;
  eventKey: string;
  status: DisputeStatus;
  timestamp: Date;
  metadata: Record<string, unknown>;
}

export interface KeyClaimRequest {
  idempotencyKey: string;
  paymentId: string;
  /** Keyed hash of the request parameters (client/payment-id.ts). */
  fingerprint: string;
  /** The claiming run's original run id: a retried activity (or a reset of the run) claims again and is told yes. */
  runId: string;
}

/** claimed: this run owns the key. Otherwise an earlier run does, with the fingerprint of the request it took. */
export type KeyClaimResult = { claimed: true } | { claimed: false; fingerprint: string; runId: string };

/** A status row written together with the claim of its payment's key, or the earlier payment's trail instead. */
export interface ClaimedAppend {
  inserted: boolean;
  claim: KeyClaimResult;
  /** When the key belongs to an earlier run: that payment's audit trail, in write order (its final state is last). */
  trail?: AuditRow[];
}

export interface AuditStore {
  /** Same (paymentId, eventKey) twice → one row; the second call returns inserted: false. */
  append(entry: AuditEntry): Promise<{ inserted: boolean }>;
  /** Every row of one payment, ordered by id (write order). */
  history(paymentId: string): Promise<AuditRow[]>;
  currentStatus(paymentId: string): Promise<AuditRow | undefined>;
  /** Payments whose current status is `status`, oldest first. */
  byStatus(status: PaymentStatus, opts?: { limit?: number }): Promise<AuditRow[]>;
  /**
   * How many payments other than `excludePaymentId` succeeded for this customer (their `succeeded` row names it):
   * the degradation ladder's trust rule.
   */
  countSucceededByCustomer(customerId: string, excludePaymentId: string): Promise<number>;
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
  /**
   * `appendClaimed` for several rows of one payment in one transaction, in order: all are written when the claim
   * is this run's, none otherwise. `inserted` is true when any row was new (a retried write inserts none).
   */
  appendClaimedRows(entries: AuditEntry[], claim: KeyClaimRequest): Promise<ClaimedAppend>;
  close(): Promise<void>;
}

/**
 * The one seam between the audit store and a database. Both backends speak the same SQL, so the store,
 * the migrations and the tests are written once; only connection handling differs per backend.
 */
export interface SqlExecutor {
  /** One statement with `$n` parameters; returns the result rows. */
  query<R = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<R[]>;
  /** A script of several statements without parameters (migration files). */
  exec(sql: string): Promise<void>;
}

export interface SqlAdapter extends SqlExecutor {
  readonly backend: 'postgres' | 'pglite';
  /** Runs `fn` on one connection inside BEGIN/COMMIT; rolls back if it throws. */
  transaction<T>(fn: (tx: SqlExecutor) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
