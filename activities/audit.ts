/** Audit activities: append one status change to the append-only `payment_status` or `dispute_status` table. */
import { ApplicationFailure } from '@temporalio/common';
import { withoutCardKeys } from '../audit/card-data';
import type { AuditRow, AuditStore, ClaimedAppend } from '../audit/types';
import type { Logger } from '../logging/logger';
import { ErrorType } from '../shared/errors';
import type { DisputeStatus } from '../shared/dispute-status';
import type { PaymentStatus } from '../shared/payment-status';
import type { AnswerFacts, AttemptFacts, EarlierClaim, KeyClaimInput, TrailRow } from '../shared/payment-types';
import { NO_STATUS_METRICS, type StatusMetrics } from './status-metrics';

export interface RecordStatusInput {
  paymentId: string;
  /** Derived deterministically by the workflow, so a retried write inserts nothing new. */
  eventKey: string;
  status: PaymentStatus;
  metadata: Record<string, unknown>;
  /** The first write of a run that claims its idempotency key: both happen in one transaction, or neither. */
  claim?: KeyClaimInput;
  /** Sent with the rows that answer the payment (succeeded, failed, cancelled), for their metrics only. */
  answer?: AnswerFacts;
  /** The charge attempts made since the run's last row, for their metrics only (not stored). */
  attempts?: AttemptFacts[];
  /** The row keeps the run's status and names no refund made (refused, unknown): recorded, not a transition. */
  restated?: boolean;
}

export interface RecordStatusResult {
  inserted: boolean;
  /** Set when the key belongs to an earlier run: nothing was written, and this is what that run recorded. */
  earlier?: EarlierClaim;
}

/** Several status rows of one payment, written in order in one transaction with the run's claim of its key. */
export interface RecordStatusesInput {
  paymentId: string;
  rows: Array<Pick<RecordStatusInput, 'eventKey' | 'status' | 'metadata'>>;
  claim: KeyClaimInput;
}

export interface RecordDisputeStatusInput {
  disputeId: string;
  paymentId?: string;
  eventKey: string;
  status: DisputeStatus;
  metadata: Record<string, unknown>;
}

export interface AuditActivityDeps {
  audit: AuditStore;
  logger?: Logger;
  /** Counts each row once it is inserted (activities/status-metrics.ts); none: nothing is counted. */
  statusMetrics?: StatusMetrics;
}

export function createAuditActivities({ audit, logger, statusMetrics = NO_STATUS_METRICS }: AuditActivityDeps) {
  /**
   * The status change has already happened in the workflow: refusing its row would fail the run and leave the
   * trail behind the payment. So a card-data key is dropped (and named in the row and the log) rather than
   * refused; card-like text in values is masked by the store.
   */
  function storable<T extends { metadata: Record<string, unknown> }>(input: T, id: string): T {
    const { value: metadata, removed } = withoutCardKeys(input.metadata, 'metadata');
    if (removed.length === 0) return input;
    logger?.error({ id, removed }, 'audit metadata held card-data keys; they were dropped: fix the caller');
    return { ...input, metadata: { ...metadata, droppedCardDataKeys: removed } };
  }

  async function recordStatus(input: RecordStatusInput): Promise<RecordStatusResult> {
    const { claim, answer, attempts, restated, ...entry } = storable(input, input.paymentId);
    const written = claim
      ? claimAnswer(
          entry.paymentId,
          await refusingBadInput(() => audit.appendClaimed(entry, { ...claim, paymentId: entry.paymentId })),
        )
      : await refusingBadInput(() => audit.append(entry));
    if (written.inserted) {
      statusMetrics.paymentRows([{ status: entry.status, metadata: entry.metadata, answer, attempts, restated }]);
    }
    return written;
  }

  /**
   * The first rows of a run (`initiated`, then the first charge's `processing`) with its claim: one activity and
   * one transaction instead of one each, so all are written or none, and none when an earlier run owns the key.
   */
  async function recordStatuses(input: RecordStatusesInput): Promise<RecordStatusResult> {
    const { paymentId, claim } = input;
    const entries = input.rows.map((row) => storable({ ...row, paymentId }, paymentId));
    const written = claimAnswer(
      paymentId,
      await refusingBadInput(() => audit.appendClaimedRows(entries, { ...claim, paymentId })),
    );
    // All rows or none are written in the one transaction; `inserted` says whether this attempt wrote them.
    if (written.inserted) statusMetrics.paymentRows(entries);
    return written;
  }

  function claimAnswer(paymentId: string, written: ClaimedAppend): RecordStatusResult {
    if (written.claim.claimed) return { inserted: written.inserted };
    const { fingerprint, runId } = written.claim;
    logger?.warn({ paymentId, earlierRunId: runId }, 'audit: idempotency key claimed by an earlier run');
    return { inserted: false, earlier: { fingerprint, runId, trail: (written.trail ?? []).map(toTrailRow) } };
  }

  async function recordDisputeStatus(input: RecordDisputeStatusInput): Promise<{ inserted: boolean }> {
    const written = await refusingBadInput(() => audit.appendDispute(storable(input, input.disputeId)));
    if (written.inserted) statusMetrics.disputeRow(input.status);
    return written;
  }

  /** The degradation ladder's trust rule: earlier succeeded payments of this customer in the audit trail. */
  async function countSucceededPayments(input: { customerId: string; excludePaymentId: string }): Promise<number> {
    return refusingBadInput(() => audit.countSucceededByCustomer(input.customerId, input.excludePaymentId));
  }

  return { recordStatus, recordStatuses, recordDisputeStatus, countSucceededPayments };
}

function toTrailRow(row: AuditRow): TrailRow {
  return { status: row.status, at: row.timestamp.toISOString(), metadata: row.metadata };
}

async function refusingBadInput<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    // Malformed ids or statuses are a bug in the caller: retrying the same write cannot succeed.
    if ((err as Error).name === 'AuditInputError') {
      throw ApplicationFailure.create({
        type: ErrorType.AuditRejected,
        message: (err as Error).message,
        nonRetryable: true,
      });
    }
    throw err;
  }
}
