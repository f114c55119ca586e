/**
 * Listing workflows by a status search attribute (Temporal visibility: eventually consistent, seconds behind).
 * Payments and disputes list the same way: only the workflow type and the attribute differ, and each client
 * turns the workflow ids back into its own ids.
 */
import type { Client } from '@temporalio/client';
import type { TypedSearchAttributes } from '@temporalio/common';

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
  return listWhere(client, `WorkflowType = '${query.workflowType}' AND ${query.attribute} = '${query.status}'`, query);
}

/** At most `limit` (default 100) workflows matching a visibility filter built from our own constants. */
export async function listWhere(
  client: Client,
  filter: string,
  options: { limit?: number } = {},
): Promise<Array<ListedWorkflow & { searchAttributes: TypedSearchAttributes }>> {
  const limit = options.limit ?? DEFAULT_LIMIT;
  const out: Array<ListedWorkflow & { searchAttributes: TypedSearchAttributes }> = [];
  for await (const wf of client.workflow.list({ query: filter, pageSize: PAGE_SIZE })) {
    out.push({ workflowId: wf.workflowId, startTime: wf.startTime, searchAttributes: wf.typedSearchAttributes });
    if (out.length >= limit) break;
  }
  return out;
}
