/**
 * How a payment method reaches Stripe. PaymentMethod ids (`pm_…`) go as they are; card tokens (`tok_…`, what our
 * client takes today) are first made into a PaymentMethod (`card[token]`, Stripe's documented path for tokens).
 * Raw card numbers may not be sent to Stripe's API without PCI approval, so in test mode the sandbox's test numbers
 * are translated into the test PaymentMethods Stripe documents for the same behaviour
 * (https://docs.stripe.com/testing); any other number is refused before a request is made.
 */
import { ApplicationFailure } from '@temporalio/common';
import { ErrorType } from '../shared/errors';
import type { PaymentMethod } from '../shared/payment-types';

const TEST_PAYMENT_METHODS: Record<string, string> = {
  '4242424242424242': 'pm_card_visa',
  '4000000000009995': 'pm_card_visa_chargeDeclinedInsufficientFunds',
  '4000000000000069': 'pm_card_chargeDeclinedExpiredCard',
  '4000000000009979': 'pm_card_visa_chargeDeclinedStolenCard',
  '4000000000000002': 'pm_card_visa_chargeDeclined',
  '4000000000000127': 'pm_card_chargeDeclinedIncorrectCvc',
  '4000000000000119': 'pm_card_chargeDeclinedProcessingError',
  '4000000000003220': 'pm_card_threeDSecure2Required',
  '4000000000000259': 'pm_card_createDispute',
};

/** A PaymentMethod id to send, or the card token to make one from. */
export type StripeMethod = { paymentMethod: string } | { cardToken: string };

export function stripePaymentMethod(method: PaymentMethod): StripeMethod {
  if (method.type === 'token') {
    return method.token.startsWith('tok_') ? { cardToken: method.token } : { paymentMethod: method.token };
  }
  const testMethod = TEST_PAYMENT_METHODS[method.number];
  if (testMethod) return { paymentMethod: testMethod };
  throw ApplicationFailure.create({
    type: ErrorType.InvalidInput,
    message: 'the Stripe gateway takes payment-method tokens (pm_…); raw card numbers only as Stripe test cards',
    nonRetryable: true,
  });
}
