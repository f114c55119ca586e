/**
 * The event sink the worker uses: each event becomes its own delivery run (workflows/merchant-event.ts) whose
 * workflow id is the event's, started with REJECT_DUPLICATE, so an event handed over twice (a retried audit
 * write) is delivered by the one run it already has, and a delivered one is not sent again.
 */
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { merchantEventWorkflowId, type DeliveryPolicy } from '../shared/merchant-events';
import { merchantEventWorkflow } from '../workflows/merchant-event';
import type { MerchantEventSink } from './outbox';

export function temporalMerchantEvents(
  client: Client,
  options: { taskQueue: string; policy: DeliveryPolicy },
): MerchantEventSink {
  return {
    async emit(event) {
      try {
        await client.workflow.start(merchantEventWorkflow, {
          workflowId: merchantEventWorkflowId(event.id),
          taskQueue: options.taskQueue,
          args: [{ event, policy: options.policy }],
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
          staticSummary: `${event.type} ${event.id}`,
        });
      } catch (err) {
        if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      }
    },
  };
}
