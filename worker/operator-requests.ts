/** OperatorRequests over Temporal: an operator's cancel request is the WorkflowExecutionCancelRequested event. */
import type { Client } from '@temporalio/client';
import type { OperatorRequests } from '../activities/operator-requests';

export function temporalOperatorRequests(client: Client): OperatorRequests {
  return {
    async cancelRequest(workflowId, runId) {
      const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
      const event = (history.events ?? []).find((e) => e.workflowExecutionCancelRequestedEventAttributes);
      const attrs = event?.workflowExecutionCancelRequestedEventAttributes;
      if (!attrs) return undefined;
      return { reason: attrs.cause || undefined, identity: attrs.identity || undefined };
    },
  };
}
