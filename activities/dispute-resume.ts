/**
 * Carrying a dispute on after its run was terminated (or timed out). The sweeper decides, from the audit trail, the
 * gateway and the deadline, what the dispute's next run can still do, and writes it into the `terminated` row; that
 * run reads the row (and what the trail recorded before it) back through `readRecordedDispute`.
 */
import type { AuditStore, DisputeAuditRow } from '../audit/types';
import { CLOSED_DISPUTE_STATUSES, type DisputeStatus } from '../shared/dispute-status';
import type { DisputeResume, DisputeTermination, RecordedDispute } from '../shared/dispute-types';

export interface ResumePlan {
  resume: DisputeResume;
  cannotResume?: 'deadline_passed' | 'state_unknown';
  lastStatus?: DisputeStatus;
}

/** The last status a run recorded: the sweeper's own `terminated` rows say nothing about the dispute's progress. */
export function lastRecordedStatus(trail: DisputeAuditRow[]): DisputeStatus | undefined {
  return trail.filter((r) => r.status !== 'terminated').at(-1)?.status;
}

/**
 * What the next run can do. The gateway is asked because the trail can lag it: a submission or a decision may have
 * landed while the run was being terminated.
 */
export function planResume(input: {
  trail: DisputeAuditRow[];
  gatewayStatus?: string;
  dueByMs: number;
  nowMs: number;
}): ResumePlan {
  const lastStatus = lastRecordedStatus(input.trail);
  if (input.gatewayStatus === 'won' || input.gatewayStatus === 'lost') return { resume: 'decided', lastStatus };
  if (lastStatus === undefined) return { resume: 'none', cannotResume: 'state_unknown' };
  if (lastStatus === 'submitted' || lastStatus === 'submission_failed' || input.gatewayStatus === 'under_review') {
    return { resume: 'await_decision', lastStatus };
  }
  if (input.nowMs >= input.dueByMs) return { resume: 'none', cannotResume: 'deadline_passed', lastStatus };
  return { resume: 'gather', lastStatus };
}

export function terminatedDisputeKey(runId: string): string {
  return `${runId}:terminated`;
}

export function createDisputeResumeActivities({ audit }: { audit: AuditStore }) {
  return {
    /** The recorded state a resumed dispute run starts from; `none` when the sweeper's row cannot be found. */
    async readRecordedDispute(input: { disputeId: string; terminatedRunId: string }): Promise<RecordedDispute> {
      const trail = await audit.disputeHistory(input.disputeId);
      const row = trail.find((r) => r.eventKey === terminatedDisputeKey(input.terminatedRunId));
      if (!row) return { resume: 'none', cannotResume: 'state_unknown' };
      const m = row.metadata;
      const before = trail.filter((r) => r.id < row.id);
      const submitted = before.filter((r) => r.status === 'submitted').at(-1);
      const failed = before.filter((r) => r.status === 'submission_failed').at(-1);
      const decided = before.filter((r) => CLOSED_DISPUTE_STATUSES.includes(r.status)).at(-1);
      const gatewayStatus = typeof m.gatewayStatus === 'string' ? m.gatewayStatus : undefined;
      const outcome = gatewayStatus === 'won' || gatewayStatus === 'lost' ? gatewayStatus : decided?.status;
      const termination: DisputeTermination = {
        runId: input.terminatedRunId,
        at: row.timestamp.toISOString(),
        by: m.by === 'timeout' ? 'timeout' : 'operator',
        reason: typeof m.reason === 'string' ? m.reason : 'terminated',
        ...(typeof m.requestedBy === 'string' ? { requestedBy: m.requestedBy } : {}),
      };
      return {
        resume: isResume(m.resume) ? m.resume : 'none',
        ...(typeof m.cannotResume === 'string'
          ? { cannotResume: m.cannotResume as RecordedDispute['cannotResume'] }
          : {}),
        terminated: termination,
        lastStatus: lastRecordedStatus(before),
        ...(typeof submitted?.metadata.approvedBy === 'string' ? { approvedBy: submitted.metadata.approvedBy } : {}),
        ...(submitted ? { submittedAt: submitted.timestamp.toISOString() } : {}),
        ...(failed && typeof failed.metadata.error === 'string' ? { submissionError: failed.metadata.error } : {}),
        ...(outcome === 'won' || outcome === 'lost' ? { outcome } : {}),
      };
    },
  };
}

function isResume(value: unknown): value is DisputeResume {
  return value === 'gather' || value === 'await_decision' || value === 'decided' || value === 'none';
}
