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
import { paymentIdFromRefundsWorkflowId, paymentWorkflowId, refundsWorkflowId } from '../shared/ids';
import { PaymentStatusKey } from '../shared/search-attributes';
import { refundsWorkflow } from '../workflows/refunds';
import { getRefundsQuery, requestRefundUpdate, type RefundsView } from '../workflows/refunds-messages';
import { serially } from './serial-queries';
import { latestRuns, listByStatus } from './visibility';

/** Statuses only a refund leads to: when the refunds run has one, it is the payment's status. */
const REFUND_STATUSES: readonly PaymentStatus[] = ['partially_refunded', 'refunded'];

/** How often a refund is sent again when it reached a refunds run that was closing (the next request starts one). */
const CLOSED_RUN_ATTEMPTS = 3;

/** The latest refunds run's view of the payment, or undefined when none ever ran (or it has not read the trail). */
export async function refundsView(client: Client, workflowId: string): Promise<PaymentState | undefined> {
  try {
    const handle = client.workflow.getHandle(workflowId);
    const view: RefundsView = await serially(workflowId, () => handle.query(getRefundsQuery));
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

export interface ListedPayment {
  paymentId: string;
  status: string;
  startTime: Date;
}

/**
 * A v4 payment run keeps the status it closed with (succeeded, terminated); its refunds run carries the later one.
 * So a listed payment whose refunds run moved it on is listed under that status instead, not under its run's.
 * One visibility query for the whole page, not a describe per payment (so as current as the listing itself).
 */
export async function withRefundStatuses(client: Client, listed: ListedPayment[]): Promise<ListedPayment[]> {
  const movable = listed.filter((p) => p.status === 'succeeded' || p.status === 'terminated');
  const later = await latestRuns(
    client,
    refundsWorkflow.name,
    movable.map((p) => refundsWorkflowId(p.paymentId)),
  );
  return listed.filter((p) => {
    const status = later.get(refundsWorkflowId(p.paymentId))?.searchAttributes.get(PaymentStatusKey);
    return !status || !REFUND_STATUSES.includes(status as PaymentStatus);
  });
}

/** Payments refunded (in part or fully) through their refunds workflow whose latest refunds run is in `status`. */
export async function listRefundedThroughWorkflow(
  client: Client,
  status: PaymentStatus,
  limit: number,
): Promise<ListedPayment[]> {
  if (!REFUND_STATUSES.includes(status)) return [];
  const query = { workflowType: refundsWorkflow.name, attribute: PaymentStatusKey.name, status, limit };
  const ids = [...new Set((await listByStatus(client, query)).map((wf) => wf.workflowId))];
  // An older run of the id says what it said when it closed; only the latest run is the payment's status now.
  const latest = await latestRuns(client, refundsWorkflow.name, ids);
  const paymentIds = ids
    .filter((id) => latest.get(id)?.searchAttributes.get(PaymentStatusKey) === status)
    .map(paymentIdFromRefundsWorkflowId);
  const payments = await latestRuns(client, 'paymentWorkflow', paymentIds.map(paymentWorkflowId));
  return paymentIds.flatMap((paymentId) => {
    const payment = payments.get(paymentWorkflowId(paymentId));
    return payment ? [{ paymentId, status, startTime: payment.startTime }] : [];
  });
}
