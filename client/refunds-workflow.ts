/**
 * The client's side of the refunds workflow (payments of input version 4 on): a refund goes to the payment's
 * refunds workflow by update-with-start, and a read merges the payment run's state with its refunds.
 */
import {
  type Client,
  WithStartWorkflowOperation,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
} from '@temporalio/client';
import type { PaymentState, RefundRecord, RefundRequest } from '../shared/payment-types';
import type { PaymentStatus } from '../shared/payment-status';
import { REFUNDS_INPUT_VERSION, type RefundsPolicy } from '../shared/refunds-types';
import { refundsWorkflow } from '../workflows/refunds';
import { getRefundsQuery, requestRefundUpdate, type RefundsView } from '../workflows/refunds-messages';

/** Statuses only a refund leads to: when the refunds run has one, it is the payment's status. */
const REFUND_STATUSES: readonly PaymentStatus[] = ['partially_refunded', 'refunded'];

/** How often a refund is sent again when it reached a refunds run that was closing (the next request starts one). */
const CLOSED_RUN_ATTEMPTS = 3;

/** The latest refunds run's view of the payment, or undefined when none ever ran (or it has not read the trail). */
export async function refundsView(client: Client, workflowId: string): Promise<PaymentState | undefined> {
  try {
    const view: RefundsView = await client.workflow.getHandle(workflowId).query(getRefundsQuery);
    return view.loaded ? view.state : undefined;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return undefined;
    throw err;
  }
}

/** The payment as one record: the payment run's answer, and the refunds made of it since. */
export function mergeRefunds(payment: PaymentState, refunds: PaymentState | undefined): PaymentState {
  if (!refunds) return payment;
  const refunded = REFUND_STATUSES.includes(refunds.status);
  const history = [...payment.history, ...refunds.history].map((change, i) => ({ ...change, seq: i + 1 }));
  return {
    ...payment,
    status: refunded ? refunds.status : payment.status,
    customerMessage: refunded ? refunds.customerMessage : payment.customerMessage,
    amountRefunded: refunds.amountRefunded,
    refunds: refunds.refunds,
    refundableUntil: refunds.refundableUntil ?? payment.refundableUntil,
    history,
  };
}

export interface RefundsTarget {
  workflowId: string;
  paymentId: string;
  taskQueue: string;
  policy: RefundsPolicy;
}

/**
 * Sends one refund to the payment's refunds workflow, starting it if none runs (USE_EXISTING: all requests meet in
 * one run; ALLOW_DUPLICATE: a refund after the last run closed starts the next one, which reads the trail first).
 */
export async function sendToRefundsWorkflow(
  client: Client,
  target: RefundsTarget,
  req: RefundRequest,
  updateId: string,
): Promise<RefundRecord> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await client.workflow.executeUpdateWithStart(requestRefundUpdate, {
        args: [req],
        updateId: `${updateId}:${attempt}`,
        startWorkflowOperation: startOperation(target),
      });
    } catch (err) {
      // The run completed (idle) between accepting the start and taking this Update: the next attempt starts one.
      if (err instanceof WorkflowUpdateFailedError || attempt >= CLOSED_RUN_ATTEMPTS || !closedRun(err)) throw err;
    }
  }
}

function startOperation(target: RefundsTarget) {
  return new WithStartWorkflowOperation(refundsWorkflow, {
    workflowId: target.workflowId,
    taskQueue: target.taskQueue,
    args: [{ version: REFUNDS_INPUT_VERSION, paymentId: target.paymentId, policy: target.policy }],
    workflowIdConflictPolicy: 'USE_EXISTING',
    workflowIdReusePolicy: 'ALLOW_DUPLICATE',
    // PaymentStatus is set by the run once it has read the payment's status from the trail.
    staticSummary: `Refunds of payment ${target.paymentId}`,
  });
}

function closedRun(err: unknown): boolean {
  const text = err instanceof Error ? `${err.message} ${String((err as { cause?: unknown }).cause ?? '')}` : '';
  return err instanceof WorkflowNotFoundError || /completed|not found/i.test(text);
}
