/** What `npm run reconcile` compares (all payments, or those active since a date) and how it prints the result. */
import { PAYMENT_ID_PATTERN } from '../shared/ids';
import { chargeCreatedAt, chargePaymentId, type LedgerCharge } from './ledger';
import type { Mismatch } from './compare';
import type { AuditRow, AuditStore } from '../audit/types';

interface ReconcileInput {
  rows: AuditRow[];
  charges: LedgerCharge[];
}

/**
 * Picks what to compare. Without `since`: everything. With it, the window selects *payments* (any audit
 * row or charge since then), and each selected payment is compared on its full history and all its
 * charges; cutting rows at `since` instead would report a payment that succeeded just before the window
 * and was refunded inside it as "charged but not recorded".
 */
export async function loadReconcileInput(
  store: AuditStore,
  charges: LedgerCharge[],
  since?: Date,
): Promise<ReconcileInput> {
  if (!since) return { rows: await store.allRows(), charges };
  const ids = new Set((await store.allRows({ since })).map((r) => r.paymentId));
  for (const charge of charges) {
    const paymentId = chargePaymentId(charge);
    const created = chargeCreatedAt(charge);
    // An unreadable `created` counts as in the window: better a false alarm than a missed double charge.
    if (paymentId && (!created || created >= since)) ids.add(paymentId);
  }
  const rows: AuditRow[] = [];
  for (const id of ids) {
    // A malformed payment_id cannot be in the audit trail; its charge still shows up as not recorded.
    if (PAYMENT_ID_PATTERN.test(id)) rows.push(...(await store.history(id)));
  }
  return { rows, charges: charges.filter((c) => ids.has(chargePaymentId(c) ?? '')) };
}

export function formatMismatch(m: Mismatch): string {
  const charges = m.chargeIds.length > 0 ? m.chargeIds.join(',') : '-';
  return `MISMATCH ${m.kind} payment=${m.paymentId} charges=${charges}: ${m.detail}`;
}

export function countPayments(input: ReconcileInput): number {
  const ids = new Set(input.rows.map((r) => r.paymentId));
  for (const c of input.charges) {
    const id = chargePaymentId(c);
    if (id) ids.add(id);
  }
  return ids.size;
}
