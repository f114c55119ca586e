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

/** Ids per visibility query: keeps the query well under the server's length limit. */
const IDS_PER_QUERY = 100;

/**
 * The latest run (by start time) of each of these workflow ids, in as few visibility queries as the ids need. Ids
 * come from our own id functions (UUID-based), so they need no escaping; one with a quote is refused.
 */
export async function latestRuns(
  client: Client,
  workflowType: string,
  workflowIds: string[],
): Promise<Map<string, ListedWorkflow & { searchAttributes: TypedSearchAttributes }>> {
  const latest = new Map<string, ListedWorkflow & { searchAttributes: TypedSearchAttributes }>();
  if (workflowIds.some((id) => id.includes("'"))) throw new Error('workflow ids with quotes cannot be listed');
  for (let i = 0; i < workflowIds.length; i += IDS_PER_QUERY) {
    const ids = workflowIds.slice(i, i + IDS_PER_QUERY).map((id) => `'${id}'`);
    const filter = `WorkflowType = '${workflowType}' AND WorkflowId IN (${ids.join(', ')})`;
    for await (const wf of client.workflow.list({ query: filter, pageSize: PAGE_SIZE })) {
      const seen = latest.get(wf.workflowId);
      if (seen && seen.startTime >= wf.startTime) continue;
      latest.set(wf.workflowId, {
        workflowId: wf.workflowId,
        startTime: wf.startTime,
        searchAttributes: wf.typedSearchAttributes,
      });
    }
  }
  return latest;
}
