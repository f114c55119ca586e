/** PaymentIntent statuses and objects in the port's terms (pure). */
import type Stripe from 'stripe';
import { chargeStatusOf, toDispute } from '../../gateways/stripe-mapping';
import { escapeSearch } from '../../gateways/stripe-lookup';

const declined = { type: 'card_error', code: 'card_declined' } as Stripe.PaymentIntent.LastPaymentError;

it.each<[Stripe.PaymentIntent.Status, Stripe.PaymentIntent.LastPaymentError | null, string]>([
  ['succeeded', null, 'succeeded'],
  ['requires_action', null, 'requires_action'],
  ['canceled', null, 'canceled'],
  ['requires_payment_method', declined, 'failed'],
  // Never confirmed: nothing was tried, nothing charged.
  ['requires_payment_method', null, 'canceled'],
  // Not an outcome yet: asked again.
  ['processing', null, 'processing'],
  ['requires_confirmation', null, 'processing'],
  ['requires_capture', null, 'processing'],
])('%s (error: %p) is %s', (status, error, ours) => {
  expect(chargeStatusOf({ status, last_payment_error: error })).toBe(ours);
});

it("a dispute's charge is its PaymentIntent, else its charge", () => {
  const base = { id: 'du_1', status: 'needs_response', reason: 'fraudulent' };
  expect(toDispute({ ...base, payment_intent: 'pi_1', charge: 'ch_1' } as Stripe.Dispute).chargeId).toBe('pi_1');
  expect(toDispute({ ...base, payment_intent: null, charge: 'ch_1' } as Stripe.Dispute).chargeId).toBe('ch_1');
});

it('quotes search values safely', () => {
  expect(escapeSearch("it's\\x")).toBe("it\\'s\\\\x");
});
