/**
 * A run whose idempotency key an earlier run already claimed (that run is gone from Temporal: retention, or
 * deleted) charges nothing and answers with the earlier payment as its audit trail recorded it. Workflow code:
 * pure functions of the trail the claiming activity returned, so replay rebuilds the same state.
 */
import { CustomerMessage } from '../shared/outcome-messages';
import type { PaymentStatus } from '../shared/payment-status';
import type { PaymentState, StatusChange, TrailRow } from '../shared/payment-types';

/** Messages by final status; a decline's own wording is not in the trail, so a failure gets the generic one. */
const MESSAGES: Partial<Record<PaymentStatus, string>> = {
  succeeded: CustomerMessage.succeeded,
  partially_refunded: CustomerMessage.partiallyRefunded,
  refunded: CustomerMessage.refunded,
  requires_action: CustomerMessage.requiresAction,
  cancelled: CustomerMessage.cancelled,
  failed: CustomerMessage.failed,
  unknown: CustomerMessage.unavailable,
  terminated: CustomerMessage.terminated,
  queued: CustomerMessage.delayed,
};

/**
 * The earlier payment's state: its statuses, charge, refunded amount and capture time from the rows. Amount and
 * currency come from the rows too (every row carries them), not from this run's input, which may differ.
 * Attempts and refund records are not in the trail and stay empty; no refund window is open in this run.
 */
export function replayedState(base: PaymentState, trail: TrailRow[], runId: string): PaymentState {
  const last = trail.at(-1);
  const status = last?.status ?? base.status;
  return {
    ...base,
    status,
    amount: latest(trail, 'amount', 'number') ?? base.amount,
    currency: latest(trail, 'currency', 'string') ?? base.currency,
    chargeId: latest(trail, 'chargeId', 'string'),
    reason: last && typeof last.metadata.reason === 'string' ? last.metadata.reason : undefined,
    // The degradation ladder writes its message into its rows (a graceful failure names its alternatives).
    customerMessage:
      last && typeof last.metadata.customerMessage === 'string'
        ? last.metadata.customerMessage
        : (MESSAGES[status] ?? CustomerMessage.processing),
    needsDifferentCard: status === 'awaiting_payment_method',
    attempts: [],
    history: trail.map(toStatusChange),
    capturedAt: trail.find((r) => r.status === 'succeeded' || chargedWhenTerminated(r))?.at,
    refundableUntil: undefined,
    amountRefunded: latest(trail, 'amountRefunded', 'number') ?? 0,
    refunds: [],
    replayedFromRun: runId,
  };
}

/** The sweeper's row for a terminated run that the gateway says charged: money moved, refunds may follow. */
export function chargedWhenTerminated(row: TrailRow | undefined): boolean {
  return row?.status === 'terminated' && row.metadata.charged === true && typeof row.metadata.chargeId === 'string';
}

function toStatusChange(row: TrailRow, index: number): StatusChange {
  const change: StatusChange = { seq: index + 1, status: row.status, at: row.at };
  if (typeof row.metadata.reason === 'string') change.reason = row.metadata.reason;
  return change;
}

/** The newest value of a metadata key of this type, scanning back from the last row. */
function latest(trail: TrailRow[], key: string, type: 'number'): number | undefined;
function latest(trail: TrailRow[], key: string, type: 'string'): string | undefined;
function latest(trail: TrailRow[], key: string, type: 'number' | 'string'): unknown {
  for (let i = trail.length - 1; i >= 0; i--) {
    const value = trail[i].metadata[key];
    if (typeof value === type) return value;
  }
  return undefined;
}
