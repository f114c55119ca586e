/**
 * Every dispute the sandbox ever opened, in creation order; at most one per charge, as at Stripe. Disputes change
 * (evidence, status), so readers get copies: a stored webhook snapshot or a serialized answer never moves.
 */
import type { Dispute } from './types';

export class DisputeStore {
  private readonly disputes = new Map<string, Dispute>();
  private readonly byCharge = new Map<string, Dispute>();

  add(dispute: Dispute): void {
    this.disputes.set(dispute.id, dispute);
    this.byCharge.set(dispute.charge, dispute);
  }

  /** The live dispute, for the rules that change it. Answer with `viewDispute`, never with this object. */
  get(id: string): Dispute | undefined {
    return this.disputes.get(id);
  }

  forCharge(chargeId: string): Dispute | undefined {
    return this.byCharge.get(chargeId);
  }

  /** Copies of the disputes, optionally of one charge, in creation order. */
  list(filter: { chargeId?: string } = {}, nowMs = Date.now()): Dispute[] {
    if (filter.chargeId !== undefined) {
      const dispute = this.byCharge.get(filter.chargeId);
      return dispute ? [viewDispute(dispute, nowMs)] : [];
    }
    return [...this.disputes.values()].map((dispute) => viewDispute(dispute, nowMs));
  }

  clear(): void {
    this.disputes.clear();
    this.byCharge.clear();
  }
}

/** A detached copy with `past_due` as of `nowMs`: true once the deadline passed without a submission. */
export function viewDispute(dispute: Dispute, nowMs = Date.now()): Dispute {
  const view = structuredClone(dispute);
  view.evidence_details.past_due = dispute.status === 'needs_response' && nowMs >= dispute.evidence_details.due_by_ms;
  return view;
}
