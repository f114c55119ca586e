/** Stripe's objects in our terms (PaymentIntent → GatewayCharge, Refund, Dispute). Pure, so unit-tested alone. */
import type Stripe from 'stripe';
import type { ChargeStatus, GatewayCharge, GatewayDispute, GatewayRefund } from './port';

/**
 * PaymentIntent statuses (https://docs.stripe.com/payments/paymentintents/lifecycle). A declined confirm leaves
 * the intent in `requires_payment_method` with `last_payment_error`: that is our `failed`. Statuses that are not
 * yet an outcome (`processing`, and `requires_confirmation` / `requires_capture`, which this adapter never asks
 * for) are `processing`: ask again.
 */
export function chargeStatusOf(intent: Pick<Stripe.PaymentIntent, 'status' | 'last_payment_error'>): ChargeStatus {
  switch (intent.status) {
    case 'succeeded':
      return 'succeeded';
    case 'requires_action':
      return 'requires_action';
    case 'canceled':
      return 'canceled';
    case 'requires_payment_method':
      // A fresh intent that was never confirmed has no error: nothing was tried, nothing was charged.
      return intent.last_payment_error ? 'failed' : 'canceled';
    default:
      return 'processing';
  }
}

export function toCharge(intent: Stripe.PaymentIntent): GatewayCharge {
  const error = intent.last_payment_error;
  const charge = typeof intent.latest_charge === 'object' ? intent.latest_charge : undefined;
  const card = charge?.payment_method_details?.card ?? undefined;
  const status = chargeStatusOf(intent);
  return {
    id: intent.id,
    status,
    amount: intent.amount,
    currency: intent.currency.toUpperCase(),
    declineCode: status === 'failed' ? error?.decline_code || error?.code || 'generic_decline' : undefined,
    created: intent.created,
    card: card
      ? {
          last4: card.last4 ?? undefined,
          brand: card.brand ?? undefined,
          cvcCheck: card.checks?.cvc_check ?? undefined,
          postalCodeCheck: card.checks?.address_postal_code_check ?? undefined,
        }
      : undefined,
    threeDSecure: card?.three_d_secure?.result ?? undefined,
  };
}

export function toRefund(refund: Stripe.Refund): GatewayRefund {
  const intent = refund.payment_intent;
  return {
    id: refund.id,
    chargeId: (typeof intent === 'string' ? intent : intent?.id) ?? idOf(refund.charge),
    amount: refund.amount,
    currency: refund.currency.toUpperCase(),
    status: refund.status ?? 'pending',
  };
}

/** Our charge id is the PaymentIntent's; a dispute of a charge made without one keeps the charge's id. */
export function toDispute(dispute: Stripe.Dispute): GatewayDispute {
  return {
    id: dispute.id,
    chargeId: idOf(dispute.payment_intent) || idOf(dispute.charge),
    status: dispute.status,
    reason: dispute.reason,
  };
}

function idOf(ref: string | { id: string } | null | undefined): string {
  if (!ref) return '';
  return typeof ref === 'string' ? ref : ref.id;
}
