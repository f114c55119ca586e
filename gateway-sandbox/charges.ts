/**
 * Charge creation and 3DS confirmation: the card processor's business rules, free of HTTP so the routes stay thin.
 * All synchronous, so the idempotency layer can run them without anything interleaving.
 */
import type { Logger } from 'pino';
import { cardBrand, chargeOutcome, type CardOutcome, resolveToken } from './cards';
import { cardDeclined, errorReply, type ErrorReply, resourceMissing } from './errors';
import type { Outcome } from './idempotent-replies';
import type { Ledger } from './ledger';
import type { PaymentMethodStore } from './payment-methods';
import type {
  Charge,
  ChargeStatus,
  CreateChargeInput,
  DisputeReason,
  PaymentMethodDetails,
  PaymentMethodInput,
} from './types';

/** Called for a charge whose test card is disputed after it succeeds; it must not act before the answer is out. */
export type DisputeScheduler = (charge: Charge, reason: DisputeReason) => void;

/** The card number behind a payment method, or a 400 `resource_missing` for an unknown token or id. */
export function resolveCardNumber(
  method: PaymentMethodInput,
  stored: PaymentMethodStore,
): { ok: true; number: string } | { ok: false; reply: ErrorReply } {
  if (typeof method === 'string') {
    const number = stored.numberOf(method);
    if (number !== undefined) return { ok: true, number };
    return { ok: false, reply: resourceMissing(`No such PaymentMethod: '${method}'`, 400) };
  }
  if (method.type === 'card') return { ok: true, number: method.number };
  const number = resolveToken(method.token);
  if (number !== undefined) return { ok: true, number };
  return { ok: false, reply: resourceMissing(`No such token: '${method.token}'`, 400) };
}

export function createCharge(
  ledger: Ledger,
  logger: Logger,
  input: CreateChargeInput,
  cardNumber: string,
  idempotencyKey: string,
  scheduleDispute: DisputeScheduler,
): Outcome {
  const outcome = chargeOutcome(cardNumber, {
    offSession: input.off_session === true,
    requestThreeDS: input.payment_method_options?.card.request_three_d_secure === 'any',
  });
  const status: ChargeStatus =
    outcome.kind === 'succeed' ? 'succeeded' : outcome.kind === 'three_d_secure' ? 'requires_action' : 'failed';
  const charge = ledger.record({
    amount: input.amount,
    currency: input.currency,
    idempotencyKey,
    metadata: input.metadata ?? {},
    // Only the last four digits are kept or logged; the full number never leaves this function.
    cardLast4: cardNumber.slice(-4),
    paymentMethodDetails: paymentMethodDetails(cardNumber, outcome),
    status,
    declineCode: outcome.kind === 'decline' ? outcome.declineCode : undefined,
  });
  logger.debug(
    { chargeId: charge.id, status, amount: charge.amount, currency: charge.currency, last4: charge.card_last4 },
    'charge created',
  );
  if (outcome.kind === 'decline') return cardDeclined(charge.id, outcome.declineCode);
  if (outcome.kind === 'succeed' && outcome.disputeReason) scheduleDispute(charge, outcome.disputeReason);
  return { status: 200, body: charge };
}

function paymentMethodDetails(cardNumber: string, outcome: CardOutcome): PaymentMethodDetails {
  const cvcFailed = outcome.kind === 'decline' && outcome.declineCode === 'incorrect_cvc';
  return {
    card: {
      last4: cardNumber.slice(-4),
      brand: cardBrand(cardNumber),
      checks: { cvc_check: cvcFailed ? 'fail' : 'pass', address_postal_code_check: 'pass' },
    },
    three_d_secure: null,
  };
}

/**
 * Completes a 3DS charge from the customer's recorded result. Without a result yet the charge stays
 * `requires_action` and the answer is a 402 `authentication_required`, as Stripe gives for an unauthenticated
 * confirm.
 */
export function confirmCharge(ledger: Ledger, logger: Logger, chargeId: string): Outcome {
  const charge = ledger.get(chargeId);
  if (!charge) return resourceMissing(`No such charge: '${chargeId}'`);
  if (charge.status === 'succeeded') return { status: 200, body: charge };
  if (charge.status === 'canceled') return unexpectedState(charge, 'confirm');
  // A charge that already failed keeps failing the same way: confirming cannot revive it.
  if (charge.status === 'failed') return cardDeclined(charge.id, charge.decline_code ?? 'generic_decline');
  const result = ledger.threeDsResult(charge.id);
  if (result === 'succeeded') {
    ledger.succeed(charge);
    logger.debug({ chargeId: charge.id }, 'charge confirmed after 3DS');
    return { status: 200, body: charge };
  }
  if (result === 'failed') {
    ledger.fail(charge, 'authentication_required');
    logger.debug({ chargeId: charge.id }, 'charge failed 3DS');
  }
  return cardDeclined(charge.id, 'authentication_required');
}

/**
 * Cancels a charge that awaits 3DS, as Stripe cancels a PaymentIntent in `requires_action`: a late customer
 * authentication can then never capture it. Cancelling again answers the same; a settled charge cannot be.
 */
export function cancelCharge(ledger: Ledger, logger: Logger, chargeId: string): Outcome {
  const charge = ledger.get(chargeId);
  if (!charge) return resourceMissing(`No such charge: '${chargeId}'`);
  if (charge.status === 'canceled') return { status: 200, body: charge };
  if (charge.status !== 'requires_action') return unexpectedState(charge, 'cancel');
  ledger.cancel(charge);
  logger.debug({ chargeId: charge.id }, 'charge canceled');
  return { status: 200, body: charge };
}

/** Stripe's `payment_intent_unexpected_state`: a 400 that names the charge's status. */
function unexpectedState(charge: Charge, action: string): Outcome {
  return errorReply(400, {
    type: 'invalid_request_error',
    code: 'charge_unexpected_state',
    message: `You cannot ${action} this charge because it has a status of ${charge.status}.`,
  });
}
