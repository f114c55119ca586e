/**
 * Decline classification: turns a Stripe `decline_code` into what the payment workflow does next and what the customer
 * may be told. Sandbox-safe (runs inside Temporal's workflow sandbox): no imports, pure data and pure functions.
 *
 * Classes (reference/payments.md §1.4, "Proposed classification"):
 * - processing: transient trouble at Stripe or the issuer; retry soon with backoff.
 * - soft: the issuer says no for now; retry over days within the card-network budget.
 * - hard: resending the same card data cannot succeed; no automatic retry, the customer must supply a card again.
 * - fraud: never retry; the customer sees exactly the generic decline, so the decline reveals nothing.
 * - authentication: the issuer wants 3DS; take the authentication path, not a retry.
 */

export type DeclineClass = 'processing' | 'soft' | 'hard' | 'fraud' | 'authentication';

/** Stripe's decline codes (docs.stripe.com/declines/codes) plus Radar's `highest_risk_level`, which Smart Retries
 * treats as a decline. Written out separately from the table so the tests can prove the table covers it exactly. */
const STRIPE_DECLINE_CODES = [
  'approve_with_id',
  'authentication_required',
  'call_issuer',
  'card_not_supported',
  'card_velocity_exceeded',
  'currency_not_supported',
  'do_not_honor',
  'do_not_try_again',
  'duplicate_transaction',
  'expired_card',
  'fraudulent',
  'generic_decline',
  'highest_risk_level',
  'incorrect_cvc',
  'incorrect_number',
  'incorrect_pin',
  'incorrect_zip',
  'insufficient_funds',
  'invalid_account',
  'invalid_amount',
  'invalid_cvc',
  'invalid_expiry_month',
  'invalid_expiry_year',
  'invalid_number',
  'invalid_pin',
  'issuer_not_available',
  'lost_card',
  'merchant_blacklist',
  'new_account_information_available',
  'no_action_taken',
  'not_permitted',
  'offline_pin_required',
  'online_or_offline_pin_required',
  'pickup_card',
  'pin_try_exceeded',
  'processing_error',
  'reenter_transaction',
  'restricted_card',
  'revocation_of_all_authorizations',
  'revocation_of_authorization',
  'security_violation',
  'service_not_allowed',
  'stolen_card',
  'stop_payment_order',
  'testmode_decline',
  'transaction_not_allowed',
  'try_again_later',
  'withdrawal_count_limit_exceeded',
] as const;

export type DeclineCode = (typeof STRIPE_DECLINE_CODES)[number];

export const DECLINE_CODES: readonly string[] = STRIPE_DECLINE_CODES;

export interface DeclineInfo {
  /** The decline code as received, trimmed and lower-cased; '' when none was given. */
  code: string;
  declineClass: DeclineClass;
  /** For logs and operators: precise, may say fraud. Never show it to the customer. */
  internalReason: string;
  /** Safe to show the customer. Fraud codes get exactly GENERIC_DECLINE_MESSAGE. */
  customerMessage: string;
  /**
   * The payment cannot finish without the customer supplying a card again (another card, or the same one with corrected
   * details), so the workflow should wait for a card replacement instead of retrying. True for hard declines. False for
   * fraud: to the customer a fraud decline must look exactly like `generic_decline` (soft, so false), and holding a
   * flagged payment open for "another card" is what card testing wants. A legitimate customer can start a new payment.
   */
  needsDifferentCard: boolean;
  /** False when the code is not in the table (see classifyDecline for how those are treated). */
  known: boolean;
}

/** What generic_decline, every fraud code and every unknown code show the customer. */
export const GENERIC_DECLINE_MESSAGE = 'Your card was declined. Contact your card issuer for more information.';

/** Customer texts, shared between codes so the same situation always reads the same way. Never name fraud, loss,
 * theft or security here: the tests reject any such word. */
const Message = {
  retrySoon: 'Your card issuer could not process the payment just now. Please try again in a few minutes.',
  insufficientFunds: 'Your card has insufficient funds. Use a different card or try again later.',
  limitReached: 'Your card has reached its spending limit. Use a different card or try again later.',
  expired: 'Your card has expired. Use a different card.',
  number: 'Your card number is incorrect. Check it and try again, or use a different card.',
  expiry: "Your card's expiration date is incorrect. Check it and try again, or use a different card.",
  cvc: "Your card's CVC is incorrect. Check it and try again, or use a different card.",
  postalCode: 'Your billing postal code is incorrect. Check it and try again, or use a different card.',
  pin: 'The PIN entered is incorrect. Try again with the correct PIN, or use a different card.',
  pinTries: 'Too many incorrect PIN attempts. Use a different card.',
  pinRequired: 'Your card requires a PIN for this payment. Use a different card.',
  notSupported: "Your card doesn't support this type of purchase. Use a different card.",
  currency: "Your card doesn't support this currency. Use a different card.",
  amount: "Your card issuer didn't allow this amount. Use a different card or contact your card issuer.",
  account: 'Your card account is no longer valid. Use a different card or contact your card issuer.',
  outdated: 'Your card details have changed. Update your card details or use a different card.',
  notAllowed: "Your card issuer doesn't allow this payment. Use a different card or contact your card issuer.",
  stopped: 'Payments from this card to us have been stopped. Use a different card or contact your card issuer.',
  declinedFinal: 'Your card was declined. Use a different card or contact your card issuer.',
  testCard: 'This is a test card and cannot be charged. Use a real card.',
  duplicate: 'A payment with the same card and amount was just made. Check your recent payments before trying again.',
  authentication: 'Your card issuer needs you to confirm this payment. Complete the verification to continue.',
} as const;

export interface DeclineRule {
  readonly code: DeclineCode;
  readonly declineClass: DeclineClass;
  readonly internalReason: string;
  readonly customerMessage: string;
  readonly needsDifferentCard: boolean;
}

/** One builder per class, so each class's needsDifferentCard default lives in one place. */
const ruleFor =
  (declineClass: DeclineClass, needsDifferentCard: boolean) =>
  (code: DeclineCode, internalReason: string, customerMessage: string): DeclineRule => ({
    code,
    declineClass,
    internalReason,
    customerMessage,
    needsDifferentCard,
  });
const processing = ruleFor('processing', false);
const soft = ruleFor('soft', false);
const hard = ruleFor('hard', true);
const authentication = ruleFor('authentication', false);
/** Takes no message at all, so no fraud row can ever carry anything but the generic one. */
const fraud = (code: DeclineCode, internalReason: string): DeclineRule =>
  ruleFor('fraud', false)(code, internalReason, GENERIC_DECLINE_MESSAGE);

/** Every code in DECLINE_CODES exactly once (the tests check it), grouped by class. */
export const DECLINE_TABLE: readonly DeclineRule[] = [
  // processing: the attempt failed on the way, not on its merits.
  processing('processing_error', 'Error while Stripe or the issuer processed the card; transient', Message.retrySoon),
  processing('issuer_not_available', 'Issuer could not be reached to authorise; transient', Message.retrySoon),
  processing('reenter_transaction', 'Issuer failed to process it, reason unknown; resubmit', Message.retrySoon),
  processing('try_again_later', 'Deprecated code; Stripe says attempt again soon', Message.retrySoon),
  // Despite the name there is no ID for us to collect: Stripe's next step is to attempt the payment again.
  processing('approve_with_id', 'Issuer could not authorise this attempt; attempt again', Message.retrySoon),

  // soft: the issuer declined this attempt, but the same card may pass later (funds arrive, limits reset).
  soft('insufficient_funds', 'Not enough funds or credit on the card', Message.insufficientFunds),
  soft('card_velocity_exceeded', 'Balance, credit or transaction-amount limit exceeded', Message.limitReached),
  soft('withdrawal_count_limit_exceeded', 'Balance or credit limit exceeded', Message.limitReached),
  soft('do_not_honor', 'Issuer declined without a reason', GENERIC_DECLINE_MESSAGE),
  // Also what Stripe sends when Radar blocks a payment, which is why fraud codes may safely look exactly like it.
  soft('generic_decline', 'Issuer declined without a reason, or Radar blocked the payment', GENERIC_DECLINE_MESSAGE),
  soft('no_action_taken', 'Issuer declined without a reason', GENERIC_DECLINE_MESSAGE),
  soft('call_issuer', 'Issuer declined without a reason and asks the cardholder to call', GENERIC_DECLINE_MESSAGE),

  // hard: the same card data will be declined again; only new input from the customer helps.
  hard('expired_card', 'Card has expired', Message.expired),
  hard('incorrect_number', 'Card number is incorrect (Stripe: never retry)', Message.number),
  hard('invalid_number', 'Card number is invalid', Message.number),
  hard('invalid_expiry_month', 'Expiry month is invalid', Message.expiry),
  hard('invalid_expiry_year', 'Expiry year is invalid', Message.expiry),
  hard('incorrect_cvc', 'CVC is incorrect', Message.cvc),
  hard('invalid_cvc', 'CVC is invalid', Message.cvc),
  // Resending cannot change a wrong postal code; the customer must correct the billing details.
  hard('incorrect_zip', 'Billing postal code is incorrect', Message.postalCode),
  // PIN codes come only from card readers; resending repeats the same PIN, so the customer must act.
  hard('incorrect_pin', 'PIN entered is incorrect (card reader)', Message.pin),
  hard('invalid_pin', 'PIN entered is invalid (card reader)', Message.pin),
  hard('pin_try_exceeded', 'Allowed PIN attempts exceeded; Stripe says use another card', Message.pinTries),
  // The card-present cousin of authentication_required, but 3DS cannot collect a PIN, so it is not that path.
  hard('offline_pin_required', 'Card requires an offline PIN (insert card and enter PIN)', Message.pinRequired),
  hard('online_or_offline_pin_required', 'Card requires a PIN (online or offline)', Message.pinRequired),
  hard('card_not_supported', 'Card does not support this type of purchase', Message.notSupported),
  hard('currency_not_supported', 'Card does not support the payment currency', Message.currency),
  // Could be our bug (check the amount first), else an issuer per-purchase limit that retrying will not lift.
  hard('invalid_amount', 'Amount invalid or above what the issuer allows; check our amount first', Message.amount),
  hard('invalid_account', 'Card or its underlying account is invalid', Message.account),
  hard('new_account_information_available', 'Card or account invalid; issuer has newer details', Message.outdated),
  hard('not_permitted', 'Payment not permitted by the issuer', Message.notAllowed),
  hard('transaction_not_allowed', 'Issuer does not allow this transaction', Message.notAllowed),
  hard('service_not_allowed', 'Issuer does not allow this service', Message.notAllowed),
  hard('stop_payment_order', 'Stop-payment order on the card for this merchant', Message.stopped),
  hard('revocation_of_authorization', 'Cardholder revoked this authorisation (Stripe: never retry)', Message.stopped),
  hard('revocation_of_all_authorizations', 'All authorisations revoked (Stripe: never retry)', Message.stopped),
  // Deprecated (now an advice code): the issuer asks us explicitly not to retry; it alleges nothing about fraud.
  hard('do_not_try_again', 'Issuer says do not try again with this card', Message.declinedFinal),
  // A test card in live mode: no retry can charge it, a real card can.
  hard('testmode_decline', 'Stripe test card used in live mode', Message.testCard),
  // Hard because any retry, or another card, risks charging twice; needsDifferentCard is false because the fix is to
  // reconcile against the recent payment, not to ask for a card.
  {
    ...hard('duplicate_transaction', 'Same amount and card seen just now; reconcile first', Message.duplicate),
    needsDifferentCard: false,
  },

  // fraud: never retry, and never tell the customer why.
  fraud('fraudulent', 'Stripe suspects fraud'),
  fraud('stolen_card', 'Card reported stolen'),
  fraud('lost_card', 'Card reported lost'),
  fraud('pickup_card', 'Issuer says pick up the card (possibly reported lost or stolen)'),
  fraud('restricted_card', 'Card restricted (possibly reported lost or stolen)'),
  fraud('merchant_blacklist', 'Payment matches a value on our Stripe block list'),
  // Stripe only says "unknown reason"; §1.4 places it here, and anything named security gets the generic message.
  fraud('security_violation', 'Issuer reports a security violation'),
  fraud('highest_risk_level', 'Radar scored the payment highest risk and blocked it'),

  // authentication: the issuer wants the cardholder to authenticate (3DS); the workflow signals for that.
  authentication('authentication_required', 'Issuer requires authentication such as 3D Secure', Message.authentication),
];

const RULES_BY_CODE: ReadonlyMap<string, DeclineRule> = new Map(DECLINE_TABLE.map((rule) => [rule.code, rule]));

/**
 * Classifies a decline code. Codes are matched case-insensitively after trimming: Stripe sends lower case, but a test
 * double or proxy that changes case must not turn a hard decline into an unknown one.
 *
 * Unknown or missing codes are 'hard': a code we do not recognise gives no licence to hit the issuer again (repeated
 * declines count against Visa and Mastercard retry limits and cost fees), while 'hard' still lets the customer finish
 * with another card, which 'fraud' would not. The message is the generic one because the code might mean anything.
 */
/**
 * Who started the charge. A customer at checkout can use another card now; retrying their card over hours is for
 * merchant-initiated charges (subscriptions, instalments), within the card networks' retry limits.
 */
export type Initiator = 'customer' | 'merchant';

/**
 * Codes that are soft for a merchant-initiated charge but hard when the customer is there: the seeds' table
 * (seed 002) treats insufficient funds as "ask for a different card", and repeating the charge will not change
 * the balance while the customer waits.
 */
const HARD_WHEN_CUSTOMER_INITIATED: ReadonlySet<string> = new Set(['insufficient_funds']);

/**
 * `initiator` undefined classifies as release 0.1 did (no distinction); the gateway activities always pass one
 * for current runs.
 */
export function classifyDecline(code: string | undefined | null, initiator?: Initiator): DeclineInfo {
  const info = classifyCode(code);
  if (initiator === 'customer' && HARD_WHEN_CUSTOMER_INITIATED.has(info.code)) {
    return { ...info, declineClass: 'hard', needsDifferentCard: true };
  }
  return info;
}

function classifyCode(code: string | undefined | null): DeclineInfo {
  // typeof guard: the code arrives from JSON, where the type annotation is only a hope.
  const normalised = typeof code === 'string' ? code.trim().toLowerCase() : '';
  const rule = RULES_BY_CODE.get(normalised);
  if (rule) {
    // A fresh object every call, so a caller that mutates its result cannot change the table.
    const { declineClass, internalReason, customerMessage, needsDifferentCard } = rule;
    return { code: normalised, declineClass, internalReason, customerMessage, needsDifferentCard, known: true };
  }
  return {
    code: normalised,
    declineClass: 'hard',
    internalReason:
      normalised === ''
        ? 'No decline code given; treated as hard so the issuer is not retried blindly'
        : `Unrecognised decline code "${normalised}"; treated as hard so the issuer is not retried blindly`,
    customerMessage: GENERIC_DECLINE_MESSAGE,
    needsDifferentCard: true,
    known: false,
  };
}
