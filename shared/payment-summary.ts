/**
 * What an operator sees of a payment at a glance in the Temporal UI (user metadata): a one-line summary set at
 * start, and "current details" the run keeps up to date. Neither is a record (the audit trail is): they are
 * display text, never parsed, and hold no card number (last four digits at most). Sandbox-safe: the workflow
 * computes its details with the same functions.
 */
import { maskCardNumbers } from './card-number';
import type { PaymentMethod, PaymentState } from './payment-types';

/** `25.00 USD`, `500 JPY`: minor units shown with the currency's own ISO 4217 exponent. */
export function formatAmount(amount: number, currency: string): string {
  const digits = currencyExponent(currency);
  return `${(amount / 10 ** digits).toFixed(digits)} ${currency}`;
}

/**
 * Building an Intl.NumberFormat costs 0.1-0.2 ms, and the workflow formats the amount after every status change
 * (its current details; 1.6 % of the workflow thread in the issue-19 profile): so once per currency per process.
 * A cache of a pure function is deterministic, also where the workflow sandbox shares this module between runs.
 * Bounded: a hand-started run could bring any text as its currency.
 */
const exponents = new Map<string, number>();
const MAX_CACHED_CURRENCIES = 400;

function currencyExponent(currency: string): number {
  let digits = exponents.get(currency);
  if (digits === undefined) {
    digits = intlExponent(currency);
    if (exponents.size < MAX_CACHED_CURRENCIES) exponents.set(currency, digits);
  }
  return digits;
}

function intlExponent(currency: string): number {
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    return 2; // not an ISO code Intl knows: the common case
  }
}

/** `card ending 4242`, or the token: what the customer paid with, never the number. */
export function describeMethod(method: PaymentMethod): string {
  if (method.type === 'token' && 'id' in method) {
    // The same words as for older inputs' numbers: the token itself is in the static details.
    return method.card?.last4 ? `card ending ${method.card.last4}` : `token ${method.id}`;
  }
  if (method.type === 'token') return `token ${method.token}`;
  return `card ending ${method.number.replace(/\D/g, '').slice(-4)}`;
}

/**
 * The list's one line (static summary): amount and method; the status is the PaymentStatus column. The gateway
 * is named when the caller knows it (the client is configured with one once there is more than the sandbox).
 */
export function paymentSummary(p: {
  amount: number;
  currency: string;
  paymentMethod: PaymentMethod;
  gateway?: string;
}): string {
  const parts = [`Payment ${formatAmount(p.amount, p.currency)}`, describeMethod(p.paymentMethod)];
  if (p.gateway) parts.push(`via ${p.gateway}`);
  return parts.join(' · ');
}

/** The run's page (static details, Markdown): what never changes about the payment. */
export function paymentStaticDetails(
  paymentId: string,
  p: { amount: number; currency: string; paymentMethod: PaymentMethod; customerId?: string; description?: string },
): string {
  const lines = [
    `payment: ${paymentId}`,
    `amount: ${formatAmount(p.amount, p.currency)} (${p.amount} minor units)`,
    describeMethod(p.paymentMethod),
  ];
  const pm = p.paymentMethod;
  if (pm.type === 'token' && 'id' in pm && pm.card?.last4) lines.push(`token: ${pm.id} (${pm.card.brand ?? 'card'})`);
  if (p.customerId) lines.push(`customer: ${p.customerId}`);
  if (p.description) lines.push(`description: ${maskCardNumbers(p.description)}`);
  return lines.join('  \n');
}

/** The run's page (current details, Markdown): where the payment stands now. */
export function paymentDetails(state: PaymentState): string {
  const lines = [
    `**${state.status}** · ${formatAmount(state.amount, state.currency)}`,
    `attempts: ${state.attempts.length}`,
  ];
  if (state.chargeId) lines.push(`charge: ${state.chargeId}`);
  if (state.amountRefunded > 0) lines.push(`refunded: ${formatAmount(state.amountRefunded, state.currency)}`);
  if (state.refundableUntil) lines.push(`refundable until: ${state.refundableUntil}`);
  if (state.reason) lines.push(`reason: ${maskCardNumbers(state.reason)}`);
  return lines.join('  \n');
}
