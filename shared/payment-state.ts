/**
 * A payment's state before anything happened to it: what the payment run starts from (and fills from its input)
 * and what a refunds run starts from before it reads the trail. Plain data: this file runs in the sandbox.
 */
import { CustomerMessage } from './outcome-messages';
import type { PaymentState } from './payment-types';

export function initialPaymentState(paymentId: string, amount = 0, currency = 'XXX'): PaymentState {
  return {
    paymentId,
    status: 'initiated',
    amount,
    currency,
    cardVersion: 1,
    attempts: [],
    customerMessage: CustomerMessage.processing,
    needsDifferentCard: false,
    history: [],
    amountRefunded: 0,
    refunds: [],
  };
}
