/**
 * Every status a dispute can be in: the `DisputeStatus` search attribute, the `dispute_status` audit table
 * and API responses. Add, never rename; a new status needs a new migration (the table checks the list).
 */
export const DISPUTE_STATUSES = [
  'needs_response', // the bank opened it; evidence is due by `dueBy`
  'evidence_gathered', // evidence collected by reason, waiting for an operator's approval or the deadline
  'submitted', // evidence sent to the gateway; the bank is reviewing it
  'submission_failed', // the gateway refused the evidence (e.g. past due); the dispute will likely be lost
  'won',
  'lost',
  // an operator terminated the run (or it timed out) before the bank decided: the termination sweeper appends it;
  // the dispute's next run resumes watching the deadline, or stays here flagged NeedsAttention when it cannot
  'terminated',
] as const;

export type DisputeStatus = (typeof DISPUTE_STATUSES)[number];

export const CLOSED_DISPUTE_STATUSES: readonly DisputeStatus[] = ['won', 'lost'];

export function isDisputeStatus(value: string): value is DisputeStatus {
  return (DISPUTE_STATUSES as readonly string[]).includes(value);
}
