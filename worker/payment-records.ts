/**
 * PaymentRecords over Temporal: a payment's state is its workflow's query, its customer's history a visibility list.
 * A version 4 payment's refunds live in its refunds workflow (the payment run closed at capture), so both answers
 * read that too: dispute evidence must not call a refunded payment an undisputed prior purchase.
 */
import { type Client, WorkflowNotFoundError } from '@temporalio/client';
import { mergeRefunds, refundsView } from '../client/refunds-workflow';
import { latestRuns } from '../client/visibility';
import { PaymentStatusKey } from '../shared/search-attributes';
import type { PaymentRecords } from '../activities/payment-records';
import { paymentIdFromWorkflowId, paymentWorkflowId, refundsWorkflowId } from '../shared/ids';
import { getPaymentStateQuery } from '../workflows/payment-messages';

const PRIOR_PURCHASE_LIMIT = 50;

export function temporalPaymentRecords(client: Client): PaymentRecords {
  return {
    async getPayment(paymentId) {
      try {
        const state = await client.workflow.getHandle(paymentWorkflowId(paymentId)).query(getPaymentStateQuery);
        if (!state.refundsWorkflowId) return state;
        return mergeRefunds(state, await refundsView(client, state.refundsWorkflowId));
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) return undefined;
        throw err;
      }
    },
    async priorPurchases(customerId, excludePaymentId) {
      const query = [
        `WorkflowType = 'paymentWorkflow'`,
        `CustomerId = '${customerId.replace(/['\\]/g, '')}'`,
        `PaymentStatus IN ('succeeded', 'partially_refunded')`,
        `WorkflowId != '${paymentWorkflowId(excludePaymentId)}'`,
      ].join(' AND ');
      const found: Array<{ paymentId: string; at: string }> = [];
      for await (const wf of client.workflow.list({ query, pageSize: PRIOR_PURCHASE_LIMIT })) {
        found.push({ paymentId: paymentIdFromWorkflowId(wf.workflowId), at: wf.startTime.toISOString() });
        if (found.length >= PRIOR_PURCHASE_LIMIT) break;
      }
      // A v4 run says `succeeded` for good; its refunds run says whether it was refunded since.
      const refunds = await latestRuns(
        client,
        'refundsWorkflow',
        found.map((p) => refundsWorkflowId(p.paymentId)),
      );
      const refunded = (id: string) =>
        refunds.get(refundsWorkflowId(id))?.searchAttributes.get(PaymentStatusKey) === 'refunded';
      return found.filter((p) => !refunded(p.paymentId));
    },
  };
}
