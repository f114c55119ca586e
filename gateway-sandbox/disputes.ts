/**
 * Disputes (chargebacks) with Stripe's lifecycle: the customer's bank opens one (`needs_response`), the merchant
 * stages and submits evidence before the deadline (`under_review`), the bank decides (`won`/`lost`). The sandbox
 * plays the bank through `/_sandbox/disputes`; every change a receiver must know about is sent as a webhook.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { DisputeScheduler } from './charges';
import type { SandboxContext } from './context';
import { viewDispute } from './dispute-store';
import { errorReply, type ErrorReply, invalidRequest, resourceMissing } from './errors';
import { disputeEvent } from './events';
import { randomId } from './ids';
import type { Outcome } from './idempotent-replies';
import type { Charge, Dispute, DisputeReason, UpdateDisputeInput } from './types';

/** The default response window; real ones are set by the card network, typically one to three weeks. */
export const DEFAULT_DISPUTE_DUE_MS = 7 * 24 * 60 * 60 * 1000;

export interface OpenDispute {
  reason: DisputeReason;
  amount?: number;
  dueInMs?: number;
}

/** Why a charge cannot be disputed as asked, or undefined when it can. */
export function disputeRefusal(ctx: SandboxContext, charge: Charge, input: OpenDispute): ErrorReply | undefined {
  if (charge.status !== 'succeeded') {
    const message = `Charge ${charge.id} has status ${charge.status}; only a succeeded charge can be disputed.`;
    return invalidRequest(message, 'charge_not_disputable', 'charge');
  }
  const existing = ctx.disputes.forCharge(charge.id);
  if (existing) {
    const message = `Charge ${charge.id} already has dispute ${existing.id}; a charge can be disputed only once.`;
    return errorReply(409, { type: 'invalid_request_error', code: 'charge_already_disputed', message });
  }
  if (input.amount !== undefined && input.amount > charge.amount) {
    const message = `Dispute amount (${input.amount}) is greater than the charge amount (${charge.amount}).`;
    return invalidRequest(message, 'parameter_invalid', 'amount');
  }
  return undefined;
}

/** Opens a dispute (the caller checked `disputeRefusal`) and sends `dispute.created`. Returns a copy. */
export function openDispute(ctx: SandboxContext, charge: Charge, input: OpenDispute): Dispute {
  const nowMs = Date.now();
  const dueByMs = nowMs + (input.dueInMs ?? DEFAULT_DISPUTE_DUE_MS);
  const dispute: Dispute = {
    id: randomId('dp'),
    object: 'dispute',
    charge: charge.id,
    amount: input.amount ?? charge.amount,
    currency: charge.currency,
    reason: input.reason,
    status: 'needs_response',
    evidence: {},
    evidence_details: {
      // Rounded down: a client reading only the seconds must never think it has more time than it has.
      due_by: Math.floor(dueByMs / 1000),
      due_by_ms: dueByMs,
      has_evidence: false,
      past_due: false,
      submission_count: 0,
    },
    metadata: { ...charge.metadata },
    created: Math.floor(nowMs / 1000),
  };
  ctx.disputes.add(dispute);
  ctx.logger.debug({ disputeId: dispute.id, chargeId: charge.id, reason: dispute.reason }, 'dispute opened');
  ctx.events.emit(disputeEvent('dispute.created', viewDispute(dispute, nowMs), charge));
  return viewDispute(dispute, nowMs);
}

/**
 * Opens the dispute of a dispute test card's charge after `disputeDelayMs`. The timer starts inside the request's
 * synchronous work and fires on a later turn of the event loop, so even with delay 0 the charge's answer is
 * written first, and a replay of that charge (which does not run the work) never opens a second dispute.
 */
export function disputeScheduler(ctx: SandboxContext): DisputeScheduler {
  return (charge, reason) => {
    sleep(ctx.disputeDelayMs, undefined, { signal: ctx.closing })
      .then(() => {
        // A reset in between forgot the charge; a test may also have opened a dispute on it by hand meanwhile.
        if (ctx.ledger.get(charge.id) !== charge || ctx.disputes.forCharge(charge.id)) return;
        openDispute(ctx, charge, { reason });
      })
      .catch((error: unknown) => {
        if (!ctx.closing.aborted) ctx.logger.error({ err: error, chargeId: charge.id }, 'scheduled dispute failed');
      });
  };
}

/**
 * Stripe's "update dispute": stages evidence, submits it (`submit`, which defaults to true when evidence is
 * given, as at Stripe), and merges metadata. Evidence and submission are refused once the dispute was submitted
 * or closed, or after the deadline; a metadata-only update is always allowed.
 */
export function updateDispute(ctx: SandboxContext, disputeId: string, input: UpdateDisputeInput): Outcome {
  const dispute = ctx.disputes.get(disputeId);
  if (!dispute) return resourceMissing(`No such dispute: '${disputeId}'`);
  const nowMs = Date.now();
  if (input.evidence !== undefined || input.submit !== undefined) {
    const refusal = evidenceRefusal(dispute, nowMs);
    if (refusal) return refusal;
  }
  const submit = input.submit ?? input.evidence !== undefined;
  const evidence = { ...dispute.evidence, ...input.evidence };
  // Checked before anything changes, so a refused update leaves the dispute exactly as it was.
  if (submit && Object.keys(evidence).length === 0) {
    return invalidRequest('There is no evidence to submit: provide evidence first.', 'parameter_missing', 'evidence');
  }
  dispute.evidence = evidence;
  dispute.evidence_details.has_evidence = Object.keys(evidence).length > 0;
  if (submit) {
    dispute.status = 'under_review';
    dispute.evidence_details.submission_count++;
  }
  for (const [key, value] of Object.entries(input.metadata ?? {})) {
    if (value === '') delete dispute.metadata[key];
    else dispute.metadata[key] = value;
  }
  ctx.logger.debug({ disputeId, status: dispute.status, submit }, 'dispute updated');
  return { status: 200, body: viewDispute(dispute, nowMs) };
}

function evidenceRefusal(dispute: Dispute, nowMs: number): ErrorReply | undefined {
  if (dispute.status !== 'needs_response') {
    const message =
      `Dispute ${dispute.id} has status ${dispute.status}: its evidence was already submitted or the dispute is ` +
      'closed, so it can no longer be updated.';
    return invalidRequest(message, 'dispute_not_updatable');
  }
  if (nowMs >= dispute.evidence_details.due_by_ms) {
    const dueBy = new Date(dispute.evidence_details.due_by_ms).toISOString();
    const message = `The evidence for dispute ${dispute.id} was due by ${dueBy}; it can no longer be updated.`;
    return invalidRequest(message, 'dispute_past_due');
  }
  return undefined;
}

/** The bank's decision. Closing twice is a test bug, answered 409. Sends `dispute.closed`. */
export function closeDispute(ctx: SandboxContext, disputeId: string, outcome: 'won' | 'lost'): Outcome {
  const dispute = ctx.disputes.get(disputeId);
  if (!dispute) return resourceMissing(`No such dispute: '${disputeId}'`);
  if (dispute.status === 'won' || dispute.status === 'lost') {
    const message = `Dispute ${dispute.id} is already closed (${dispute.status}).`;
    return errorReply(409, { type: 'invalid_request_error', code: 'dispute_already_closed', message });
  }
  const charge = ctx.ledger.get(dispute.charge);
  // Unreachable while reset clears charges and disputes together; the event needs the charge's key and metadata.
  if (!charge) return resourceMissing(`No such charge: '${dispute.charge}'`);
  dispute.status = outcome;
  ctx.logger.debug({ disputeId, outcome }, 'dispute closed');
  const nowMs = Date.now();
  ctx.events.emit(disputeEvent('dispute.closed', viewDispute(dispute, nowMs), charge));
  return { status: 200, body: viewDispute(dispute, nowMs) };
}
