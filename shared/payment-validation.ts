/**
 * Structural checks usable inside the workflow sandbox (no zod there). The client validates fully with zod
 * before anything reaches Temporal; this is the last line, for inputs that arrive through updates.
 */
import { CARD_NUMBER_FIELD_MESSAGE, isCardNumberField } from './card-number';
import type { PaymentMethod } from './payment-types';

const TOKEN = /^tok_[A-Za-z0-9_]{1,64}$/;
/** Stripe's PaymentMethod ids (`pm_…`), and the sandbox's, which look the same. */
export const PAYMENT_METHOD_ID = /^pm_[A-Za-z0-9_]{1,64}$/;

/** Returns an error message, or undefined when the payment method is well formed. */
export function paymentMethodProblem(pm: unknown): string | undefined {
  if (typeof pm !== 'object' || pm === null) return 'paymentMethod must be an object';
  const m = pm as Partial<PaymentMethod> & Record<string, unknown>;
  if (m.type === 'card') return isCardNumberField(m.number) ? undefined : CARD_NUMBER_FIELD_MESSAGE;
  if (m.type === 'token' && 'id' in m) {
    return PAYMENT_METHOD_ID.test(String(m.id)) ? undefined : 'paymentMethod.id must look like pm_...';
  }
  if (m.type === 'token') return TOKEN.test(String(m.token)) ? undefined : 'token must look like tok_...';
  return "paymentMethod.type must be 'card' or 'token'";
}
