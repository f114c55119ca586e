/**
 * What an operator asked of a run through Temporal itself (the UI's Request Cancellation, `temporal workflow
 * cancel`). The workflow is told only "cancel requested"; who asked and why are in its history, read here.
 */
import type { AuditStore } from '../audit/types';
import { maskCardNumbers } from '../shared/card-number';
import type { DisputeInput } from '../shared/dispute-types';
import type { PaymentInput, RefundRequest } from '../shared/payment-types';
import type { RefundsInput } from '../shared/refunds-types';

export interface OperatorRequest {
  /** The reason given with the request, card numbers masked; undefined when none was given. */
  reason?: string;
  /** Who asked, as Temporal recorded it (the UI's user, `temporal-cli:user@host`, an SDK client). */
  identity?: string;
}

/** A payment or dispute run Temporal closed without its code running: an operator's Terminate, or a run timeout. */
export interface ClosedRun {
  workflowId: string;
  runId: string;
  closedAs: string; // 'TERMINATED' | 'TIMED_OUT'
}

/** What the closed run's history says: its input, and the terminate's reason and requester. */
export interface RunClosure<I = PaymentInput> extends OperatorRequest {
  input: I;
  /** The run id the run claimed its key with: a reset keeps the first run's. */
  originalRunId: string;
}

/** An operator's Reset (UI, `temporal workflow reset`), as the reset run's history records it. */
export interface ResetRequest {
  /** The run this one was reset from. */
  baseRunId: string;
  reason?: string;
}

/** What a reset run's first audit row says of the reset; empty on every later row of that run. */
export interface ResetNote {
  resetFrom?: string;
  resetReason?: string;
}

/** Implemented over the Temporal client in worker/operator-requests.ts. */
export interface OperatorRequests {
  cancelRequest(workflowId: string, runId: string): Promise<OperatorRequest | undefined>;
  /** The latest reset that started this run (a reset of a reset names the run it was reset from); undefined if none. */
  resetRequest(workflowId: string, runId: string): Promise<ResetRequest | undefined>;
  /** Runs of this task queue and type (default paymentWorkflow) closed as Terminated or TimedOut since then (visibility; eventually consistent). */
  closedRuns(
    since: Date,
    workflowType?: 'paymentWorkflow' | 'disputeWorkflow' | 'refundsWorkflow',
  ): Promise<ClosedRun[]>;
  /** A refunds run's refund Updates that were accepted and never completed (in flight when it closed), in order. */
  openRefundRequests(workflowId: string, runId: string): Promise<RefundRequest[]>;
  /** A new refunds run, after an operator closed the last: it reads the trail ('running': one already is). */
  startRefundsResume(workflowId: string, input: RefundsInput): Promise<'started' | 'running'>;
  closure<I = PaymentInput>(workflowId: string, runId: string): Promise<RunClosure<I>>;
  latestRun(workflowId: string): Promise<{ runId: string; status: string }>;
  /** A new run under the payment's workflow id that answers from the audit trail ('running': one already is). */
  startSettlement(workflowId: string, input: PaymentInput, needsAttention: boolean): Promise<'started' | 'running'>;
  /** A new run under the dispute's workflow id that resumes from the audit trail ('running': one already is). */
  startDisputeResume(workflowId: string, input: DisputeInput, needsAttention: boolean): Promise<'started' | 'running'>;
}

export function createOperatorActivities(deps: { operators: OperatorRequests; audit: Pick<AuditStore, 'history'> }) {
  return {
    /** The run's cancellation request as its history holds it; undefined if the history has none. */
    async readCancelRequest(input: { workflowId: string; runId: string }): Promise<OperatorRequest> {
      const request = await deps.operators.cancelRequest(input.workflowId, input.runId);
      const reason = request?.reason ? maskCardNumbers(request.reason) : undefined;
      return { ...(reason ? { reason } : {}), ...(request?.identity ? { identity: request.identity } : {}) };
    },

    /**
     * Asked by a reset run before each status row: the reset (which run it came from, and why), but only while
     * the trail holds no row of this run yet, so exactly the reset run's first row carries it.
     */
    async readResetNote(input: { workflowId: string; runId: string; paymentId: string }): Promise<ResetNote> {
      const trail = await deps.audit.history(input.paymentId);
      if (trail.some((row) => row.eventKey.startsWith(`${input.runId}:`))) return {};
      const request = await deps.operators.resetRequest(input.workflowId, input.runId);
      if (!request) return {};
      const reason = request.reason ? maskCardNumbers(request.reason) : undefined;
      return { resetFrom: request.baseRunId, ...(reason ? { resetReason: reason } : {}) };
    },
  };
}
