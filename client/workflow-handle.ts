/**
 * A call on one workflow's handle whose "no such workflow" becomes the client's own not-found error, so both
 * clients (payments and disputes) answer a missing id alike and no Temporal error type leaks to their callers.
 */
import { type Client, WorkflowNotFoundError } from '@temporalio/client';

export type WorkflowHandle = ReturnType<Client['workflow']['getHandle']>;

export async function withWorkflow<T>(
  client: Client,
  workflowId: string,
  notFound: () => Error,
  fn: (handle: WorkflowHandle) => Promise<T>,
): Promise<T> {
  try {
    return await fn(client.workflow.getHandle(workflowId));
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw notFound();
    throw err;
  }
}
