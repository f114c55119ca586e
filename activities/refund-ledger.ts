/**
 * What a refunds run needs from the audit trail before it takes a refund: the capture and every refund already
 * made of it, by any run (the payment's own for older inputs, earlier refunds runs). The trail is the record: a
 * refunds run may start months after the last one closed, and never refunds more than the trail says is left.
 */
import type { AuditRow, AuditStore } from '../audit/types';
import { gatewayRefundKey } from '../shared/idempotency';
import type { RefundReason, RefundRecord } from '../shared/payment-types';
import type { RefundLedger } from '../shared/refunds-types';

/** Statuses a captured payment's money can be in; the latest of them is the refunds run's starting status. */
const MONEY_STATUSES = new Set(['succeeded', 'terminated', 'partially_refunded', 'refunded']);

export function createRefundLedgerActivities({ audit }: { audit: Pick<AuditStore, 'history'> }) {
  return {
    async loadRefundLedger(input: { paymentId: string }): Promise<RefundLedger> {
      return refundLedger(await audit.history(input.paymentId));
    },
  };
}

/** Pure: the ledger a trail describes (exported for unit tests). */
export function refundLedger(trail: AuditRow[]): RefundLedger {
  const captureAt = findLastIndex(trail, isCapture);
  if (captureAt < 0) return { refundable: false, status: trail.at(-1)?.status };
  const capture = trail[captureAt];
  const chargeId = capture.metadata.chargeId as string;
  const currency = String(capture.metadata.currency);
  const after = trail.slice(captureAt + 1);
  const refunds = refundRecords(after, chargeId, currency);
  const refundRows = after.filter((r) => typeof r.metadata.refundSeq === 'number');
  const succeeded = refunds.filter((r) => r.status === 'succeeded').reduce((sum, r) => sum + r.amount, 0);
  return {
    refundable: true,
    status: [...trail].reverse().find((r) => MONEY_STATUSES.has(r.status))?.status ?? capture.status,
    chargeId,
    // A routed row names a gateway of the payment's failover order; an older row's name was only a label.
    ...(capture.metadata.routed === true && typeof capture.metadata.gateway === 'string'
      ? { gateway: capture.metadata.gateway }
      : {}),
    amount: Number(capture.metadata.amount),
    currency,
    capturedAt: capture.timestamp.toISOString(),
    refundableUntil: windowEnd(capture),
    amountRefunded: Math.max(succeeded, ...refundRows.map((r) => numberOr(r.metadata.amountRefunded, 0))),
    refunds,
    history: refundRows.map((r, i) => ({ seq: i + 1, status: r.status, at: r.timestamp.toISOString() })),
  };
}

/** A `succeeded` row with its charge, or the sweeper's row for a terminated run the gateway says charged. */
function isCapture(row: AuditRow): boolean {
  const charged = row.status === 'succeeded' || (row.status === 'terminated' && row.metadata.charged === true);
  return charged && typeof row.metadata.chargeId === 'string' && typeof row.metadata.amount === 'number';
}

/** Version 4's `succeeded` row names the window; the sweeper's row names the policy's length from its own time. */
function windowEnd(capture: AuditRow): string | undefined {
  const { refundableUntil, refundWindowMs } = capture.metadata;
  if (typeof refundableUntil === 'string') return refundableUntil;
  if (typeof refundWindowMs === 'number') return new Date(capture.timestamp.getTime() + refundWindowMs).toISOString();
  return undefined;
}

/** Every refund the rows name, by number; the latest row of a number says how it ended. */
function refundRecords(rows: AuditRow[], chargeId: string, currency: string): RefundRecord[] {
  const byNumber = new Map<number, RefundRecord>();
  for (const row of rows) {
    const m = row.metadata;
    if (typeof m.refundSeq !== 'number') continue;
    const n = m.refundSeq;
    const record: RefundRecord = byNumber.get(n) ?? {
      refundNumber: n,
      // Rows of payment runs (input versions 2, 3) do not name the request; such a key can never be sent again.
      requestKey: typeof m.requestKey === 'string' ? m.requestKey : `audit:${n}`,
      amount: numberOr(m.refundAmount, 0),
      currency,
      status: 'pending',
      gatewayKey: typeof m.gatewayKey === 'string' ? m.gatewayKey : gatewayRefundKey(chargeId, n),
      requestedAt: typeof m.requestedAt === 'string' ? m.requestedAt : row.timestamp.toISOString(),
    };
    if (typeof m.refundReason === 'string') record.reason = m.refundReason as RefundReason;
    if (typeof m.refundAmount === 'number') record.amount = m.refundAmount;
    if (typeof m.refundId === 'string') {
      Object.assign(record, { status: 'succeeded', refundId: m.refundId, failure: undefined });
    } else if (m.refundOutcome === 'unknown') {
      record.status = 'unknown';
    } else if (m.refundOutcome === 'refused' || m.refundOutcome === 'not_refunded') {
      record.status = 'failed';
      record.failure = typeof m.refundFailure === 'string' ? m.refundFailure : 'the gateway made no refund';
    }
    byNumber.set(n, record);
  }
  return [...byNumber.values()].sort((a, b) => a.refundNumber - b.refundNumber).map(compactRecord);
}

function compactRecord(r: RefundRecord): RefundRecord {
  return Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined)) as unknown as RefundRecord;
}

function numberOr(value: unknown, fallback: number): number {
  return typeof value === 'number' ? value : fallback;
}

function findLastIndex<T>(items: T[], test: (item: T) => boolean): number {
  for (let i = items.length - 1; i >= 0; i--) if (test(items[i])) return i;
  return -1;
}
