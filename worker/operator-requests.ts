/**
 * OperatorRequests over Temporal: what operators did to payment runs, read from history and visibility. A cancel
 * request is the WorkflowExecutionCancelRequested event; a terminate (or a run timeout) closes the run without any
 * workflow code running, so the sweeper finds it here and records it.
 */
import { type Client, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { SearchAttributePair } from '@temporalio/common';
import { decodeFromPayloadsAtIndex } from '@temporalio/common/lib/internal-non-workflow';
import { temporal } from '@temporalio/proto';
import type { ClosedRun, OperatorRequests, RunClosure } from '../activities/operator-requests';
import type { DisputeInput } from '../shared/dispute-types';
import type { PaymentInput, RefundRequest } from '../shared/payment-types';
import type { RefundsInput } from '../shared/refunds-types';
import { requestRefundUpdate } from '../workflows/refunds-messages';
import {
  CustomerIdKey,
  DisputeStatusKey,
  NeedsAttentionKey,
  PaymentAmountKey,
  PaymentStatusKey,
} from '../shared/search-attributes';

export function temporalOperatorRequests(client: Client, taskQueue: string): OperatorRequests {
  const history = (workflowId: string, runId: string) => client.workflow.getHandle(workflowId, runId).fetchHistory();
  /** A new run of a workflow an operator closed (id reuse allowed); `running` when one already runs. */
  async function startAfterOperator(
    workflowId: string,
    workflowType: string,
    input: unknown,
    typedSearchAttributes: SearchAttributePair[],
  ): Promise<'started' | 'running'> {
    try {
      await client.workflow.start(workflowType, {
        workflowId,
        taskQueue,
        args: [input],
        workflowIdReusePolicy: 'ALLOW_DUPLICATE',
        typedSearchAttributes,
      });
      return 'started';
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) return 'running';
      throw err;
    }
  }

  return {
    async cancelRequest(workflowId, runId) {
      const events = (await history(workflowId, runId)).events ?? [];
      const attrs = events.find(
        (e) => e.workflowExecutionCancelRequestedEventAttributes,
      )?.workflowExecutionCancelRequestedEventAttributes;
      if (!attrs) return undefined;
      return { reason: attrs.cause || undefined, identity: attrs.identity || undefined };
    },

    async resetRequest(workflowId, runId) {
      // The reset's workflow task fails with cause RESET_WORKFLOW; a reset of a reset run also holds the earlier one.
      const cause = temporal.api.enums.v1.WorkflowTaskFailedCause.WORKFLOW_TASK_FAILED_CAUSE_RESET_WORKFLOW;
      const attrs = ((await history(workflowId, runId)).events ?? [])
        .map((e) => e.workflowTaskFailedEventAttributes)
        .filter((a) => a?.cause === cause && a.newRunId === runId)
        .at(-1);
      if (!attrs?.baseRunId) return undefined;
      // Server 1.29 records no requester for a reset (the event names the history service), so none is returned.
      return { baseRunId: attrs.baseRunId, reason: attrs.failure?.message || undefined };
    },

    async closedRuns(since, workflowType = 'paymentWorkflow') {
      const query = [
        `WorkflowType = '${workflowType}'`,
        // Only this deployment's runs: their trail is in our audit store, their keys at our gateway.
        `TaskQueue = '${taskQueue}'`,
        `ExecutionStatus IN ('Terminated', 'TimedOut')`,
        `CloseTime > '${since.toISOString()}'`,
      ].join(' AND ');
      const runs: ClosedRun[] = [];
      for await (const wf of client.workflow.list({ query, pageSize: 100 })) {
        runs.push({ workflowId: wf.workflowId, runId: wf.runId, closedAs: wf.status.name });
      }
      return runs;
    },

    async closure<I = PaymentInput>(workflowId: string, runId: string): Promise<RunClosure<I>> {
      const events = (await history(workflowId, runId)).events ?? [];
      const started = events[0]?.workflowExecutionStartedEventAttributes;
      const input = await decodeFromPayloadsAtIndex<I>(client.options.loadedDataConverter, 0, started?.input?.payloads);
      const terminated = events.at(-1)?.workflowExecutionTerminatedEventAttributes;
      return {
        input,
        originalRunId: started?.originalExecutionRunId || runId,
        reason: terminated?.reason || undefined,
        identity: terminated?.identity || undefined,
      };
    },

    async latestRun(workflowId) {
      const described = await client.workflow.getHandle(workflowId).describe();
      return { runId: described.runId, status: described.status.name };
    },

    async startSettlement(workflowId, input, needsAttention) {
      // The first run refuses duplicates; this one is the sweeper's, after that run was closed by an operator.
      return startAfterOperator(workflowId, 'paymentWorkflow', input, [
        { key: PaymentStatusKey, value: 'terminated' },
        { key: PaymentAmountKey, value: input.amount },
        { key: NeedsAttentionKey, value: needsAttention },
        ...(input.customerId ? [{ key: CustomerIdKey, value: input.customerId }] : []),
      ]);
    },

    async openRefundRequests(workflowId, runId) {
      const events = (await history(workflowId, runId)).events ?? [];
      const completed = new Set(events.map((e) => e.workflowExecutionUpdateCompletedEventAttributes?.meta?.updateId));
      const open: RefundRequest[] = [];
      for (const e of events) {
        const request = e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest;
        if (!request || completed.has(request.meta?.updateId) || request.input?.name !== requestRefundUpdate.name) {
          continue;
        }
        const args = request.input.args?.payloads;
        open.push(await decodeFromPayloadsAtIndex<RefundRequest>(client.options.loadedDataConverter, 0, args));
      }
      return open;
    },

    async startRefundsResume(workflowId, input: RefundsInput) {
      // The client starts refunds runs with update-with-start; this one is the sweeper's, after an operator's close.
      return startAfterOperator(workflowId, 'refundsWorkflow', input, []);
    },

    async startDisputeResume(workflowId, input: DisputeInput, needsAttention) {
      // The dispute client refuses duplicates; this run is the sweeper's, after an operator closed the last one.
      return startAfterOperator(workflowId, 'disputeWorkflow', input, [
        { key: DisputeStatusKey, value: 'terminated' },
        { key: NeedsAttentionKey, value: needsAttention },
      ]);
    },
  };
}
