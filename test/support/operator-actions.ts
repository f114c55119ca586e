/**
 * What an operator does to a run in the Temporal UI (or `temporal workflow …`), as the UI sends it: reset to a
 * workflow task, request cancellation. Shared by the operator suites.
 */
import { randomUUID } from 'node:crypto';
import type { temporal } from '@temporalio/proto';
import { paymentWorkflowId } from '../../shared/ids';
import type { PaymentHarness } from './payment-harness';

export type EventId = NonNullable<temporal.api.history.v1.IHistoryEvent['eventId']>;

/** Event ids of the run's WorkflowTaskCompleted events, oldest first: the points the UI offers to reset to. */
export async function completedTasks(harness: PaymentHarness, paymentId: string): Promise<EventId[]> {
  const history = await harness.env.client.workflow.getHandle(paymentWorkflowId(paymentId)).fetchHistory();
  return (history.events ?? []).flatMap((e) =>
    e.workflowTaskCompletedEventAttributes && e.eventId ? [e.eventId] : [],
  );
}

/** The first completed workflow task (a reset re-runs the whole payment) or the last (the UI's default). */
export async function taskToResetTo(
  harness: PaymentHarness,
  paymentId: string,
  which: 'first' | 'last',
): Promise<EventId> {
  const tasks = await completedTasks(harness, paymentId);
  const task = which === 'first' ? tasks[0] : tasks.at(-1);
  if (!task) throw new Error(`payment ${paymentId} has no completed workflow task`);
  return task;
}

/** What the UI's Reset sends: ResetWorkflowExecution of the current run to a WorkflowTaskCompleted event. */
export async function operatorResets(
  harness: PaymentHarness,
  paymentId: string,
  workflowTaskFinishEventId: EventId,
  reason: string,
): Promise<{ fromRunId: string; runId: string }> {
  const workflowId = paymentWorkflowId(paymentId);
  const fromRunId = (await harness.env.client.workflow.getHandle(workflowId).describe()).runId;
  const { runId } = await (harness.env.client.workflowService.resetWorkflowExecution({
    namespace: 'default',
    workflowExecution: { workflowId, runId: fromRunId },
    reason,
    workflowTaskFinishEventId,
    requestId: randomUUID(),
    identity: 'ops-carol@example', // kept by no event of server 1.29's reset: the trail cannot name the operator
  }) as Promise<temporal.api.workflowservice.v1.IResetWorkflowExecutionResponse>);
  if (!runId) throw new Error('reset returned no run id');
  return { fromRunId, runId };
}

/** What the UI and the CLI send: RequestCancelWorkflowExecution, with a reason and an operator's identity. */
export async function operatorCancels(
  harness: PaymentHarness,
  paymentId: string,
  reason?: string,
  identity = 'ops-alice@example',
): Promise<void> {
  await harness.env.client.workflowService.requestCancelWorkflowExecution({
    namespace: 'default',
    workflowExecution: { workflowId: paymentWorkflowId(paymentId) },
    identity,
    requestId: randomUUID(),
    reason: reason ?? '',
  });
}
