/**
 * Which audit rows the merchant hears about, and what it hears: an event per status change that matters to a
 * backend (shared/merchant-events.ts), built from the row alone, with an allow-list of its metadata (amounts,
 * ids, decline codes, customer message: never a card, never our gateway keys).
 */
import { createHash } from 'node:crypto';
import type { AuditEntry, DisputeAuditEntry } from '../audit/types';
import type { DisputeStatus } from '../shared/dispute-status';
import type { MerchantEvent, MerchantEventType } from '../shared/merchant-events';
import type { PaymentStatus } from '../shared/payment-status';

const PAYMENT_EVENTS: Partial<Record<PaymentStatus, MerchantEventType>> = {
  requires_action: 'payment.requires_action',
  awaiting_payment_method: 'payment.awaiting_payment_method',
  succeeded: 'payment.succeeded',
  failed: 'payment.failed',
  cancelled: 'payment.cancelled',
  dead_lettered: 'payment.dead_lettered',
  terminated: 'payment.terminated',
  queued: 'payment.delayed',
};

const DISPUTE_EVENTS: Partial<Record<DisputeStatus, MerchantEventType>> = {
  needs_response: 'dispute.created',
  submitted: 'dispute.submitted',
  won: 'dispute.closed',
  lost: 'dispute.closed',
};

const DATA_KEYS = [
  'amount',
  'currency',
  'chargeId',
  'declineClass',
  'customerMessage',
  'reason',
  'refundId',
  'refundAmount',
  'amountRefunded',
  'charged',
  'needsAttention',
  'by',
  'dueBy',
  // The degradation ladder: until when a delayed payment waits, and what the customer may pay with instead.
  'queuedUntil',
  'alternativePaymentMethods',
] as const;

/** The event a payment's status row announces, or undefined for a row the merchant need not hear about. */
export function paymentEvent(entry: AuditEntry, at: Date): MerchantEvent | undefined {
  const type = paymentEventType(entry);
  if (!type) return undefined;
  const metadata = entry.metadata ?? {};
  const data = { ...pick(metadata), paymentId: entry.paymentId, status: entry.status };
  return {
    id: eventId(entry.paymentId, identity(type, entry.eventKey, metadata)),
    type,
    created: at.toISOString(),
    data,
  };
}

/**
 * What makes two rows the same news. A refund is one event by its gateway id (or, refused, by its number): refunds
 * are written by whichever run serialises them (the payment's, or a refunds run whose steps count from 1 again).
 * A payment's own steps are one event per step of the run (see eventId).
 */
function identity(type: MerchantEventType, eventKey: string, metadata: Record<string, unknown>): string {
  if (type === 'refund.created') return `${type}:${String(metadata.refundId)}`;
  if (type === 'refund.failed') return `${type}:${String(metadata.refundSeq)}`;
  // A payment queued again after a look found the gateway down once more is still the one delay.
  if (type === 'payment.delayed') return type;
  return eventKey;
}

function paymentEventType(entry: AuditEntry): MerchantEventType | undefined {
  const metadata = entry.metadata ?? {};
  // A row about a refund is a refund's event whatever status it carries: one written before any refund was made
  // keeps the payment's `succeeded` (an unknown outcome, a refund the gateway refused) and is no second
  // payment.succeeded. Rows of refund statuses also record attempts whose outcome was unknown: no money moved.
  const aboutRefund = typeof metadata.refundSeq === 'number';
  if (aboutRefund || entry.status === 'partially_refunded' || entry.status === 'refunded') {
    if (typeof metadata.refundId === 'string') return 'refund.created';
    const failed = metadata.refundOutcome === 'not_refunded' || metadata.refundOutcome === 'refused';
    return failed ? 'refund.failed' : undefined;
  }
  return PAYMENT_EVENTS[entry.status];
}

export function disputeEvent(entry: DisputeAuditEntry, at: Date): MerchantEvent | undefined {
  const type = DISPUTE_EVENTS[entry.status];
  if (!type) return undefined;
  const data = {
    ...pick(entry.metadata ?? {}),
    disputeId: entry.disputeId,
    ...(entry.paymentId ? { paymentId: entry.paymentId } : {}),
    status: entry.status,
  };
  // Each happens once in a dispute's life, whichever of its runs (a resumed one counts steps anew) records it.
  return { id: eventId(entry.disputeId, `${type}:${entry.status}`), type, created: at.toISOString(), data };
}

/**
 * `evt_` + a hash of the subject and the row's key without its run id (`<runId>:<seq>:<status>` → `<seq>:<status>`):
 * a run reset by an operator re-records the same steps under its own run id, and the merchant must not hear of the
 * same step twice; a step that came out differently (another status) is a different event.
 */
export function eventId(subject: string, eventKey: string): string {
  const step = eventKey.replace(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}:/i, '');
  return `evt_${createHash('sha256').update(`${subject}\n${step}`).digest('hex').slice(0, 32)}`;
}

function pick(metadata: Record<string, unknown>): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  // The trail keeps a decline's code as the gateway's `errorCode`; the merchant hears it as what it is.
  if (typeof metadata.declineClass === 'string' && typeof metadata.errorCode === 'string') {
    out.declineCode = metadata.errorCode;
  }
  for (const key of DATA_KEYS) {
    const value = metadata[key];
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') out[key] = value;
  }
  return out;
}
