/**
 * Listing workflows by a status search attribute (Temporal visibility: eventually consistent, seconds behind).
 * Payments and disputes list the same way: only the workflow type and the attribute differ, and each client
 * turns the workflow ids back into its own ids.
 */
import type { Client } from '@temporalio/client';

export interface ListedWorkflow {
  workflowId: string;
  startTime: Date;
}

const PAGE_SIZE = 100;
const DEFAULT_LIMIT = 100;

/** At most `limit` (default 100) workflows of this type whose `attribute` is `status` (already validated). */
export async function listByStatus(
  client: Client,
  query: { workflowType: string; attribute: string; status: string; limit?: number },
): Promise<ListedWorkflow[]> {
  const filter = `WorkflowType = '${query.workflowType}' AND ${query.attribute} = '${query.status}'`;
  const limit = query.limit ?? DEFAULT_LIMIT;
  const out: ListedWorkflow[] = [];
  for await (const wf of client.workflow.list({ query: filter, pageSize: PAGE_SIZE })) {
    out.push({ workflowId: wf.workflowId, startTime: wf.startTime });
    if (out.length >= limit) break;
  }
  return out;
}
