/** Audit activities: append one status change to the append-only `payment_status` or `dispute_status` table. */
import { ApplicationFailure } from '@temporalio/common';
import type { AuditStore } from '../audit/store';
import { ErrorType } from '../shared/errors';
import type { DisputeStatus } from '../shared/dispute-status';
import type { PaymentStatus } from '../shared/payment-status';

export interface RecordStatusInput {
  paymentId: string;
  /** Derived deterministically by the workflow, so a retried write inserts nothing new. */
  eventKey: string;
  status: PaymentStatus;
  metadata: Record<string, unknown>;
}

export interface RecordDisputeStatusInput {
  disputeId: string;
  paymentId?: string;
  eventKey: string;
  status: DisputeStatus;
  metadata: Record<string, unknown>;
}

export function createAuditActivities({ audit }: { audit: AuditStore }) {
  async function recordStatus(input: RecordStatusInput): Promise<{ inserted: boolean }> {
    return refusingBadInput(() => audit.append(input));
  }

  async function recordDisputeStatus(input: RecordDisputeStatusInput): Promise<{ inserted: boolean }> {
    return refusingBadInput(() => audit.appendDispute(input));
  }

  return { recordStatus, recordDisputeStatus };
}

async function refusingBadInput<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    // Bad input is a bug in the caller: retrying the same write cannot succeed.
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
