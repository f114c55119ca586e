/**
 * A payment's answer, read off its state: what the run returns, and what a client tells from a closed run whose
 * close carries no result (a Canceled run: Temporal's cancel command has no details the SDK fills).
 */
import type { PaymentResult, PaymentState } from './payment-types';

export function paymentResultOf(state: PaymentState, chargedAt?: string): PaymentResult {
  const { paymentId, status, chargeId, customerMessage, needsDifferentCard, attempts, replayedFromRun } = state;
  const result: PaymentResult = {
    paymentId,
    status,
    chargeId,
    customerMessage,
    needsDifferentCard,
    attempts: attempts.length,
  };
  if (replayedFromRun) result.replayedFromRun = replayedFromRun;
  // The gateway that charged (input version 5): only a succeeded payment has one.
  if (chargedAt && status === 'succeeded') result.gateway = chargedAt;
  return result;
}
