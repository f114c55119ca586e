/**
 * Stripe's test cards (payments.md §1.5) and test tokens. A card number decides the outcome, exactly as in
 * Stripe test mode, so tests choose a behaviour by choosing a card.
 */
import { CARD_NUMBER_FIELD_PATTERN, isCardNumberField } from '../shared/card-number';
import type { CardBrand, DeclineCode, DisputeReason } from './types';

/** `disputeReason`: the charge succeeds, then the customer's bank disputes it, as Stripe's dispute test cards do. */
export type CardOutcome =
  | { kind: 'succeed'; disputeReason?: DisputeReason }
  | { kind: 'decline'; declineCode: DeclineCode }
  | { kind: 'three_d_secure' }
  /** Stripe's 4000002500003155: 3DS on-session; off-session (not set up) it declines authentication_required. */
  | { kind: 'three_d_secure_on_session' };

const SUCCEED: CardOutcome = { kind: 'succeed' };
const THREE_D_SECURE: CardOutcome = { kind: 'three_d_secure' };

function decline(declineCode: DeclineCode): CardOutcome {
  return { kind: 'decline', declineCode };
}

/** Cards not listed here succeed, as "any other syntactically valid number" does in the spec. */
const TEST_CARDS: ReadonlyMap<string, CardOutcome> = new Map([
  ['4242424242424242', SUCCEED],
  ['4000000000000002', decline('generic_decline')],
  ['4000000000009995', decline('insufficient_funds')],
  ['4000000000000069', decline('expired_card')],
  ['4000000000000127', decline('incorrect_cvc')],
  ['4000000000000119', decline('processing_error')],
  ['4000000000009987', decline('lost_card')],
  ['4000000000009979', decline('stolen_card')],
  // Sandbox only (Stripe has no test card for it): the issuer saw the same amount and card a moment ago.
  ['4000000000001992', decline('duplicate_transaction')],
  ['4242424242424241', decline('incorrect_number')],
  ['4000000000000259', { kind: 'succeed', disputeReason: 'fraudulent' }],
  ['4000000000002685', { kind: 'succeed', disputeReason: 'product_not_received' }],
  ['4000002500003155', { kind: 'three_d_secure_on_session' }],
  ['4000002760003184', THREE_D_SECURE],
  ['4000000000003220', THREE_D_SECURE],
]);

const NAMED_TOKENS: ReadonlyMap<string, string> = new Map([
  ['tok_visa', '4242424242424242'],
  ['tok_chargeDeclined', '4000000000000002'],
  ['tok_chargeDeclinedInsufficientFunds', '4000000000009995'],
  ['tok_chargeDeclinedExpiredCard', '4000000000000069'],
  ['tok_threeDSecure2Required', '4000000000003220'],
]);

/** The card numbers the sandbox takes: the same definition as ours (shared/card-number.ts), 12-19 digits. */
export const CARD_NUMBER_PATTERN = CARD_NUMBER_FIELD_PATTERN;
const DIGITS_TOKEN_PREFIX = 'tok_';

export function cardOutcome(cardNumber: string): CardOutcome {
  return TEST_CARDS.get(cardNumber) ?? SUCCEED;
}

/**
 * The outcome for this request: a card that authenticates on-session asks for 3DS, or, off-session without a
 * request for 3DS, declines authentication_required (the step-up a merchant-initiated charge can meet).
 */
export function chargeOutcome(cardNumber: string, request: { offSession: boolean; requestThreeDS: boolean }) {
  const outcome = cardOutcome(cardNumber);
  if (outcome.kind !== 'three_d_secure_on_session') return outcome;
  if (request.offSession && !request.requestThreeDS) return decline('authentication_required');
  return THREE_D_SECURE;
}

/** Resolves a test token to its card number; `tok_<digits>` is a sandbox convenience. Undefined if unknown. */
export function resolveToken(token: string): string | undefined {
  return NAMED_TOKENS.get(token) ?? digitsToken(token);
}

function digitsToken(token: string): string | undefined {
  const digits = token.startsWith(DIGITS_TOKEN_PREFIX) ? token.slice(DIGITS_TOKEN_PREFIX.length) : '';
  return isCardNumberField(digits) ? digits : undefined;
}

const DECLINE_MESSAGES: Readonly<Record<DeclineCode, string>> = {
  generic_decline: 'Your card was declined.',
  insufficient_funds: 'Your card has insufficient funds.',
  expired_card: 'Your card has expired.',
  incorrect_cvc: "Your card's security code is incorrect.",
  processing_error: 'An error occurred while processing your card. Try again in a little bit.',
  lost_card: 'Your card was declined.',
  stolen_card: 'Your card was declined.',
  incorrect_number: 'Your card number is incorrect.',
  duplicate_transaction: 'Your card was declined.',
  authentication_required: 'Your card was declined. This transaction requires authentication.',
};

export function declineMessage(code: DeclineCode): string {
  return DECLINE_MESSAGES[code];
}

/**
 * Stripe's brand for a card number, from its issuer prefix (IIN ranges). Only the brand and the last four digits
 * are ever stored, so a charge can describe its card without holding the number.
 */
export function cardBrand(cardNumber: string): CardBrand {
  const prefix2 = Number(cardNumber.slice(0, 2));
  const prefix3 = Number(cardNumber.slice(0, 3));
  const prefix4 = Number(cardNumber.slice(0, 4));
  if (cardNumber.startsWith('4')) return 'visa';
  if ((prefix2 >= 51 && prefix2 <= 55) || (prefix4 >= 2221 && prefix4 <= 2720)) return 'mastercard';
  if (prefix2 === 34 || prefix2 === 37) return 'amex';
  if (prefix4 === 6011 || prefix2 === 65 || (prefix3 >= 644 && prefix3 <= 649)) return 'discover';
  if (prefix4 >= 3528 && prefix4 <= 3589) return 'jcb';
  if (prefix2 === 36 || prefix2 === 38 || prefix2 === 39 || (prefix3 >= 300 && prefix3 <= 305)) return 'diners';
  if (prefix2 === 62) return 'unionpay';
  return 'unknown';
}
