/** The reconciliation itself: audit trail against gateway ledger, payment by payment, as a pure function. */
import { chargePaymentId, type LedgerCharge } from './ledger';
import type { AuditRow } from '../audit/types';

type MismatchKind = 'charged_not_recorded' | 'recorded_not_charged' | 'charged_twice';

export interface Mismatch {
  kind: MismatchKind;
  paymentId: string;
  /** Ledger charge ids involved (for recorded_not_charged: the chargeIds the audit trail recorded, if any). */
  chargeIds: string[];
  detail: string;
}

/** Ledger statuses meaning money moved: a refunded charge was still a charge. */
const CHARGED_STATUSES = new Set(['succeeded', 'refunded']);

interface PaymentView {
  recordedSucceeded: boolean;
  recordedChargeIds: string[];
  charges: LedgerCharge[];
}

/**
 * Compares the audit trail with the gateway ledger, payment by payment. Pure: the caller decides which
 * rows and charges are in scope. Output is sorted so repeated runs print identical reports.
 */
export function reconcile(rows: readonly AuditRow[], charges: readonly LedgerCharge[]): Mismatch[] {
  const payments = new Map<string, PaymentView>();
  const view = (id: string): PaymentView => {
    const existing = payments.get(id);
    if (existing) return existing;
    const created: PaymentView = { recordedSucceeded: false, recordedChargeIds: [], charges: [] };
    payments.set(id, created);
    return created;
  };
  for (const row of rows) {
    // A terminated run's row says what the sweeper found at the gateway: `charged: true` is a recorded charge.
    const charged = row.status === 'succeeded' || (row.status === 'terminated' && row.metadata.charged === true);
    if (!charged) continue;
    const payment = view(row.paymentId.toLowerCase());
    payment.recordedSucceeded = true;
    const chargeId = row.metadata.chargeId;
    if (typeof chargeId === 'string' && !payment.recordedChargeIds.includes(chargeId)) {
      payment.recordedChargeIds.push(chargeId);
    }
  }
  for (const charge of charges) {
    const paymentId = chargePaymentId(charge);
    if (paymentId && CHARGED_STATUSES.has(charge.status)) view(paymentId).charges.push(charge);
  }
  return [...payments.entries()].flatMap(([id, payment]) => compare(id, payment)).sort(byPaymentThenKind);
}

function compare(paymentId: string, p: PaymentView): Mismatch[] {
  const ledgerIds = p.charges.map((c) => c.id);
  const found: Mismatch[] = [];
  const add = (kind: MismatchKind, chargeIds: string[], detail: string) =>
    found.push({ kind, paymentId, chargeIds, detail });

  if (ledgerIds.length > 1) add('charged_twice', ledgerIds, `ledger has ${ledgerIds.length} charges for one payment`);
  if (!p.recordedSucceeded) {
    if (ledgerIds.length > 0) add('charged_not_recorded', ledgerIds, 'ledger charged; audit trail has no succeeded');
    return found;
  }
  if (ledgerIds.length === 0) {
    add('recorded_not_charged', p.recordedChargeIds, 'audit trail says succeeded; ledger has no charge');
    return found;
  }
  // Both sides agree money moved; when the audit row names its charge, the ids must agree too.
  const missing = p.recordedChargeIds.filter((id) => !ledgerIds.includes(id));
  if (missing.length > 0) add('recorded_not_charged', missing, 'recorded chargeId is not a charge in the ledger');
  const unrecorded = ledgerIds.filter((id) => !p.recordedChargeIds.includes(id));
  if (p.recordedChargeIds.length > 0 && ledgerIds.length === 1 && unrecorded.length === 1) {
    add('charged_not_recorded', unrecorded, 'ledger charge differs from the chargeId the audit trail recorded');
  }
  return found;
}

function byPaymentThenKind(a: Mismatch, b: Mismatch): number {
  return a.paymentId.localeCompare(b.paymentId) || a.kind.localeCompare(b.kind);
}
