/** Audit activity: appends one status change to the append-only `payment_status` table. */
import { ApplicationFailure } from '@temporalio/common';
import type { AuditStore } from '../audit/store';
import { ErrorType } from '../shared/errors';
import type { PaymentStatus } from '../shared/payment-status';

export interface RecordStatusInput {
  paymentId: string;
  /** Derived deterministically by the workflow, so a retried write inserts nothing new. */
  eventKey: string;
  status: PaymentStatus;
  metadata: Record<string, unknown>;
}

export function createAuditActivities({ audit }: { audit: AuditStore }) {
  async function recordStatus(input: RecordStatusInput): Promise<{ inserted: boolean }> {
    try {
      return await audit.append(input);
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
  return { recordStatus };
}
