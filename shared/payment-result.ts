/**
 * A payment's answer, read off its state: what the run returns, and what a client tells from a closed run whose
 * close carries no result (a Canceled run: Temporal's cancel command has no details the SDK fills).
 */
import type { PaymentResult, PaymentState } from './payment-types';

export function paymentResultOf(state: PaymentState): PaymentResult {
  const { paymentId, status, chargeId, customerMessage, needsDifferentCard, attempts, replayedFromRun } = state;
  const result = { paymentId, status, chargeId, customerMessage, needsDifferentCard, attempts: attempts.length };
  return replayedFromRun ? { ...result, replayedFromRun } : result;
}
