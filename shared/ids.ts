/**
 * The id formats, written once. Payment ids are UUIDs (the audit table's column type), dispute ids are the
 * gateway's own (Stripe's `dp_...`, so anything word-like), and every workflow id is derived from them here,
 * so the way back from a workflow id to a payment id sits beside the way there.
 */

/** Canonical 8-4-4-4-12 form only: Postgres would also accept braces or no dashes, our ids never use them. */
export const PAYMENT_ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The gateway names disputes; we only insist on a bounded, printable word so it can be a workflow id. */
export const DISPUTE_ID_PATTERN = /^[\w-]{1,255}$/;

const PAYMENT_WORKFLOW_PREFIX = 'payment-';

export function paymentWorkflowId(paymentId: string): string {
  return `${PAYMENT_WORKFLOW_PREFIX}${paymentId}`;
}

/** The payment id inside a payment workflow id; a workflow id of another kind is returned unchanged. */
export function paymentIdFromWorkflowId(workflowId: string): string {
  return workflowId.startsWith(PAYMENT_WORKFLOW_PREFIX) ? workflowId.slice(PAYMENT_WORKFLOW_PREFIX.length) : workflowId;
}

const DISPUTE_WORKFLOW_PREFIX = 'dispute-';

/** One workflow per gateway dispute: a repeated `dispute.created` webhook finds it rather than starting another. */
export function disputeWorkflowId(disputeId: string): string {
  return `${DISPUTE_WORKFLOW_PREFIX}${disputeId}`;
}

/** The dispute id inside a dispute workflow id; a workflow id of another kind is returned unchanged. */
export function disputeIdFromWorkflowId(workflowId: string): string {
  return workflowId.startsWith(DISPUTE_WORKFLOW_PREFIX) ? workflowId.slice(DISPUTE_WORKFLOW_PREFIX.length) : workflowId;
}

const REFUNDS_WORKFLOW_PREFIX = 'refunds-';

/** One refunds workflow per payment (a later run reuses the id after an idle close). */
export function refundsWorkflowId(paymentId: string): string {
  return `${REFUNDS_WORKFLOW_PREFIX}${paymentId}`;
}

/** The payment id inside a refunds workflow id; a workflow id of another kind is returned unchanged. */
export function paymentIdFromRefundsWorkflowId(workflowId: string): string {
  return workflowId.startsWith(REFUNDS_WORKFLOW_PREFIX) ? workflowId.slice(REFUNDS_WORKFLOW_PREFIX.length) : workflowId;
}
