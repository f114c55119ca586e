/** Wire types of the dispute workflow. Plain types only: this file runs in the workflow sandbox. */
import type { DisputeStatus } from './dispute-status';

/** Stripe's dispute reasons. */
export const DISPUTE_REASONS = [
  'bank_cannot_process',
  'check_returned',
  'credit_not_processed',
  'customer_initiated',
  'debit_not_authorized',
  'duplicate',
  'fraudulent',
  'general',
  'incorrect_account_details',
  'insufficient_funds',
  'product_not_received',
  'product_unacceptable',
  'subscription_canceled',
  'unrecognized',
] as const;

export type DisputeReason = (typeof DISPUTE_REASONS)[number];

/** Stripe's dispute evidence fields (text ones; file fields take uploaded-file ids). */
export const DISPUTE_EVIDENCE_FIELDS = [
  'access_activity_log',
  'billing_address',
  'cancellation_policy',
  'cancellation_policy_disclosure',
  'cancellation_rebuttal',
  'customer_communication',
  'customer_email_address',
  'customer_name',
  'customer_purchase_ip',
  'customer_signature',
  'duplicate_charge_documentation',
  'duplicate_charge_explanation',
  'duplicate_charge_id',
  'product_description',
  'receipt',
  'refund_policy',
  'refund_policy_disclosure',
  'refund_refusal_explanation',
  'service_date',
  'service_documentation',
  'shipping_address',
  'shipping_carrier',
  'shipping_date',
  'shipping_documentation',
  'shipping_tracking_number',
  'uncategorized_file',
  'uncategorized_text',
] as const;

/** Evidence in Stripe's field names (`customer_purchase_ip`, `shipping_tracking_number` …), text values. */
export type DisputeEvidence = Record<string, string>;

export interface DisputePolicy {
  /** Submit this long before the gateway's deadline when no operator has approved earlier (seed 002: 2 days). */
  submitMarginMs: number;
  /** How often to ask the gateway about a submitted dispute in case the `dispute.closed` webhook never comes. */
  closedCheckIntervalMs: number;
}

export interface DisputeInput {
  /** DISPUTE_INPUT_VERSION when started by this release's client (policy complete); absent on older inputs. */
  version?: number;
  disputeId: string;
  chargeId: string;
  /** From the charge's metadata; absent for a charge this system did not make. */
  paymentId?: string;
  amount: number;
  currency: string;
  reason: DisputeReason;
  /** The gateway's evidence deadline, epoch milliseconds. */
  dueByMs: number;
  policy?: Partial<DisputePolicy>;
  /**
   * Set only by the termination sweeper: this run carries on a dispute whose run `terminatedRunId` an operator
   * terminated (or that timed out). It reads the dispute's recorded state from the audit trail and resumes there.
   */
  resumeAfter?: { terminatedRunId: string };
}

/** What a resumed run does, as the sweeper decided from the trail, the gateway and the deadline. */
export type DisputeResume =
  | 'gather' // nothing submitted and the deadline ahead: gather again, wait for approval or the deadline, submit
  | 'await_decision' // evidence submitted (or refused): wait for the bank's decision
  | 'decided' // the gateway says the bank decided: record it
  | 'none'; // cannot resume (deadline passed, or nothing recorded): stays `terminated`, flagged NeedsAttention

/** The sweeper's `terminated` row as the dispute's next run reads it back from the audit trail. */
export interface RecordedDispute {
  resume: DisputeResume;
  cannotResume?: 'deadline_passed' | 'state_unknown';
  terminated?: DisputeTermination;
  /** The last status the trail held before the run was terminated. */
  lastStatus?: DisputeStatus;
  approvedBy?: string;
  submittedAt?: string;
  submissionError?: string;
  outcome?: 'won' | 'lost';
}

export interface DisputeTermination {
  runId: string;
  at: string;
  by: 'operator' | 'timeout';
  reason: string;
  requestedBy?: string;
}

export interface GatheredEvidence {
  evidence: DisputeEvidence;
  /** Fields this reason calls for that no source could fill: what an operator should add before approving. */
  missing: string[];
}

export interface DisputeState {
  disputeId: string;
  chargeId: string;
  paymentId?: string;
  amount: number;
  currency: string;
  reason: DisputeReason;
  status: DisputeStatus;
  dueBy: string;
  /** When the workflow submits on its own if no operator approves first. */
  submitBy: string;
  evidence: DisputeEvidence;
  missingEvidence: string[];
  approvedBy?: string;
  submittedAt?: string;
  submissionError?: string;
  outcome?: 'won' | 'lost';
  /** A run of this dispute was terminated (or timed out) and this run carries it on: when, by whom, why. */
  terminated?: DisputeTermination;
  /** The dispute could not be resumed after its run was terminated (deadline passed, state unknown): a person must look. */
  needsAttention?: boolean;
}

export interface ApproveEvidence {
  approvedBy: string;
  /** Extra or corrected fields from the operator; they override gathered ones. */
  evidence?: DisputeEvidence;
}

export interface DisputeClosed {
  outcome: 'won' | 'lost';
}
