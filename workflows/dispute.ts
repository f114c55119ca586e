/**
 * The dispute workflow: one per gateway dispute, id derived from the dispute id, so a repeated
 * `dispute.created` webhook starts nothing new. It gathers evidence by reason, alerts operators, waits for an
 * operator's approval or until the deadline minus a margin, submits, and records the bank's decision.
 * After an operator terminates a run, the termination sweeper starts another under the same id with
 * `resumeAfter` set: that run reads the recorded state from the audit trail and carries the dispute on from there.
 */
import {
  condition,
  log,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { PaymentActivities } from '../activities';
import { CLOSED_DISPUTE_STATUSES, type DisputeStatus } from '../shared/dispute-status';
import type {
  ApproveEvidence,
  DisputeInput,
  DisputePolicy,
  DisputeState,
  RecordedDispute,
} from '../shared/dispute-types';
import { DISPUTE_INPUT_VERSION, LEGACY_DISPUTE_DEFAULTS } from '../shared/dispute-policy';
import { AUDIT_RETRY_POLICY } from '../shared/retry-policies';
import { DisputeStatusKey, NeedsAttentionKey } from '../shared/search-attributes';
import { approveEvidenceSignal, disputeClosedSignal, getDisputeStateQuery } from './dispute-messages';
import { reject } from './refuse';
import { StatusRecorder } from './status-recorder';

/** As the payment workflow's: an unversioned dispute started on this code records the current shape at once. */
const CURRENT_SHAPE_PATCH = 'dispute-current-shape-v2';

export async function disputeWorkflow(input: DisputeInput): Promise<DisputeState> {
  return new DisputeProcess(input).run();
}

class DisputeProcess {
  private readonly policy: DisputePolicy;
  private readonly gateway: PaymentActivities;
  private readonly audit: PaymentActivities;
  private readonly state: DisputeState;
  private approval?: ApproveEvidence;
  private readonly statuses: StatusRecorder<DisputeStatus>;
  /** Disputes from before input version 2 replay as written: local-activity audit, keys without the run id. */
  private readonly legacy: boolean;

  constructor(private readonly input: DisputeInput) {
    if (!input.disputeId || !input.chargeId || !Number.isFinite(input.dueByMs)) reject('dispute input is incomplete');
    const versioned = input.version === DISPUTE_INPUT_VERSION;
    this.legacy = !versioned && !patched(CURRENT_SHAPE_PATCH);
    // Never today's defaults: the client resolved them into a versioned input; older ones take the frozen 0.1 table.
    this.policy = { ...LEGACY_DISPUTE_DEFAULTS, ...input.policy };
    // Evidence calls are not urgent the way a charge is: retry for as long as the deadline allows.
    this.gateway = proxyActivities<PaymentActivities>({
      startToCloseTimeout: '30s',
      retry: { initialInterval: '1s', maximumInterval: '1m', backoffCoefficient: 2 },
    });
    // Activities, not local ones: see the payment workflow (a held-open task regroups reads and signals on replay).
    const auditOptions = { startToCloseTimeout: '30s', retry: AUDIT_RETRY_POLICY } as const;
    this.audit = this.legacy
      ? proxyLocalActivities<PaymentActivities>(auditOptions)
      : proxyActivities<PaymentActivities>(auditOptions);
    this.statuses = new StatusRecorder({
      searchAttribute: DisputeStatusKey,
      legacy: this.legacy,
    });
    const submitByMs = input.dueByMs - this.policy.submitMarginMs;
    this.state = {
      disputeId: input.disputeId,
      chargeId: input.chargeId,
      paymentId: input.paymentId,
      amount: input.amount,
      currency: input.currency,
      reason: input.reason,
      status: 'needs_response',
      dueBy: new Date(input.dueByMs).toISOString(),
      submitBy: new Date(submitByMs).toISOString(),
      evidence: {},
      missingEvidence: [],
    };
    setHandler(getDisputeStateQuery, () => this.state);
    setHandler(approveEvidenceSignal, (approval) => this.onApproval(approval));
    setHandler(disputeClosedSignal, ({ outcome }) => {
      if (outcome === 'won' || outcome === 'lost') this.state.outcome ??= outcome;
    });
  }

  async run(): Promise<DisputeState> {
    // Only the sweeper's runs carry `resumeAfter`: every other run (and every recorded history) takes the path below.
    if (this.input.resumeAfter) return this.resume(this.input.resumeAfter.terminatedRunId);
    await this.transition('needs_response', { reason: this.input.reason, dueBy: this.state.dueBy });
    await this.gatherEvidence();
    await this.watchDeadline();
    await this.awaitDecision();
    return this.state;
  }

  /**
   * Carries on a dispute whose run was terminated, from what the audit trail recorded (the sweeper's `terminated`
   * row says what is still possible): gather and submit before the deadline, wait for the decision, record a
   * decision the gateway already has, or, when nothing can be resumed, stay `terminated` flagged for a person.
   */
  private async resume(terminatedRunId: string): Promise<DisputeState> {
    const recorded = await this.audit.readRecordedDispute({ disputeId: this.input.disputeId, terminatedRunId });
    const resumed = { resumedAfter: terminatedRunId };
    Object.assign(this.state, recordedFacts(recorded), { status: 'terminated' });
    switch (recorded.resume) {
      case 'gather':
        await this.gatherEvidence(resumed);
        await this.watchDeadline();
        break;
      case 'await_decision': {
        const status = recorded.lastStatus === 'submission_failed' ? 'submission_failed' : 'submitted';
        // The gateway had the evidence though the trail did not say so: the submission landed as the run was ended.
        const foundAtGateway = recorded.lastStatus !== 'submitted' && recorded.lastStatus !== 'submission_failed';
        await this.transition(status, { ...resumed, ...(foundAtGateway ? { foundAtGateway } : {}) });
        break;
      }
      case 'decided':
        this.state.outcome ??= recorded.outcome;
        break;
      case 'none':
        this.state.needsAttention = true;
        upsertSearchAttributes([
          { key: DisputeStatusKey, value: 'terminated' },
          { key: NeedsAttentionKey, value: true },
        ]);
        log.warn('dispute.needs_attention', {
          alert: true,
          disputeId: this.input.disputeId,
          cannotResume: recorded.cannotResume,
          dueBy: this.state.dueBy,
        });
        break;
    }
    // Whatever could be resumed, the bank's decision is still recorded when it comes.
    await this.awaitDecision(resumed);
    return this.state;
  }

  /** Alerts operators, then waits for an approval (or the bank's decision) until the submit-by time, and submits. */
  private async watchDeadline(): Promise<void> {
    log.warn('dispute.needs_response', {
      alert: true,
      disputeId: this.input.disputeId,
      paymentId: this.input.paymentId,
      reason: this.input.reason,
      amount: this.input.amount,
      currency: this.input.currency,
      dueBy: this.state.dueBy,
      submitBy: this.state.submitBy,
      missingEvidence: this.state.missingEvidence,
    });
    const msToSubmitBy = Date.parse(this.state.submitBy) - Date.now();
    await condition(() => this.approval !== undefined || this.state.outcome !== undefined, Math.max(0, msToSubmitBy));
    if (!this.state.outcome) await this.submit();
  }

  private async gatherEvidence(extra: Record<string, unknown> = {}): Promise<void> {
    const { disputeId, chargeId, paymentId, reason } = this.input;
    const gathered = await this.gateway.gatherDisputeEvidence({ disputeId, chargeId, paymentId, reason });
    // An operator who approved (with fields) before gathering finished keeps the last word.
    this.state.evidence = { ...gathered.evidence, ...this.state.evidence };
    this.state.missingEvidence = gathered.missing.filter((field) => !(field in this.state.evidence));
    await this.transition('evidence_gathered', {
      fields: Object.keys(this.state.evidence).sort(),
      missing: this.state.missingEvidence,
      ...extra,
    });
  }

  private paymentRef(): { paymentId?: string } {
    return this.input.paymentId ? { paymentId: this.input.paymentId } : {};
  }

  private async submit(): Promise<void> {
    this.state.approvedBy = this.approval?.approvedBy ?? 'deadline';
    // The payment id lets the activity send it to the gateway that charged (a payment may have failed over).
    const result = await this.gateway.submitDisputeEvidence({
      disputeId: this.input.disputeId,
      evidence: this.state.evidence,
      ...this.paymentRef(),
    });
    if (!result.submitted) {
      this.state.submissionError = result.error;
      await this.transition('submission_failed', { error: result.error });
      return;
    }
    this.state.submittedAt = new Date().toISOString();
    await this.transition('submitted', {
      approvedBy: this.state.approvedBy,
      fields: Object.keys(this.state.evidence).sort(),
    });
  }

  /** The `dispute.closed` webhook normally decides; a periodic check covers a webhook that never arrives. */
  private async awaitDecision(extra: Record<string, unknown> = {}): Promise<void> {
    let outcome = this.state.outcome;
    while (!outcome) {
      await condition(() => this.state.outcome !== undefined, this.policy.closedCheckIntervalMs);
      outcome = this.state.outcome ?? (await this.checkGateway());
    }
    this.state.outcome = outcome;
    await this.transition(outcome, { outcome, ...extra });
  }

  private async checkGateway(): Promise<'won' | 'lost' | undefined> {
    const { status } = await this.gateway.fetchDispute({ disputeId: this.input.disputeId, ...this.paymentRef() });
    return status === 'won' || status === 'lost' ? status : undefined;
  }

  private onApproval(approval: ApproveEvidence): void {
    const closed = CLOSED_DISPUTE_STATUSES.includes(this.state.status) || this.state.needsAttention === true;
    if (this.approval || this.state.submittedAt || closed) {
      log.warn('ignoring evidence approval: already approved, submitted or closed', {
        disputeId: this.input.disputeId,
        status: this.state.status,
      });
      return;
    }
    this.approval = approval;
    this.state.evidence = { ...this.state.evidence, ...approval.evidence };
    this.state.missingEvidence = this.state.missingEvidence.filter((f) => !(f in this.state.evidence));
  }

  /** Every status change: search attribute for operators, append-only audit row. */
  private async transition(status: DisputeStatus, metadata: Record<string, unknown>): Promise<void> {
    this.state.status = status;
    await this.statuses.record(status, ({ eventKey }) =>
      this.audit.recordDisputeStatus({
        disputeId: this.input.disputeId,
        paymentId: this.input.paymentId,
        eventKey,
        status,
        metadata: {
          ...metadata,
          chargeId: this.input.chargeId,
          amount: this.input.amount,
          currency: this.input.currency,
        },
      }),
    );
  }
}

/** What the terminated run had recorded, as the resumed run's state starts. */
function recordedFacts(recorded: RecordedDispute): Partial<DisputeState> {
  return {
    ...(recorded.terminated ? { terminated: recorded.terminated } : {}),
    ...(recorded.approvedBy ? { approvedBy: recorded.approvedBy } : {}),
    ...(recorded.submittedAt ? { submittedAt: recorded.submittedAt } : {}),
    ...(recorded.submissionError ? { submissionError: recorded.submissionError } : {}),
  };
}
