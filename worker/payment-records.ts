/** PaymentRecords over Temporal: a payment's state is its workflow's query, its customer's history a visibility list. */
import { type Client, WorkflowNotFoundError } from '@temporalio/client';
import type { PaymentRecords } from '../activities/payment-records';
import { paymentIdFromWorkflowId, paymentWorkflowId } from '../shared/ids';
import { getPaymentStateQuery } from '../workflows/payment-messages';

const PRIOR_PURCHASE_LIMIT = 50;

export function temporalPaymentRecords(client: Client): PaymentRecords {
  return {
    async getPayment(paymentId) {
      try {
        return await client.workflow.getHandle(paymentWorkflowId(paymentId)).query(getPaymentStateQuery);
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
      const out: Array<{ paymentId: string; at: string }> = [];
      for await (const wf of client.workflow.list({ query, pageSize: PRIOR_PURCHASE_LIMIT })) {
        out.push({ paymentId: paymentIdFromWorkflowId(wf.workflowId), at: wf.startTime.toISOString() });
        if (out.length >= PRIOR_PURCHASE_LIMIT) break;
      }
      return out;
    },
  };
}
