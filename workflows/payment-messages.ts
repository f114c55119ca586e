/**
 * Signals, queries and updates of the payment workflow. Card replacement, cancel and retry are Updates with
 * validators rather than signals: the caller gets a clear, synchronous rejection when the payment is not in
 * a state that accepts them, and a rejected update leaves no trace in history. 3DS completion stays a signal
 * because it arrives from a webhook that can only deliver, not wait for an answer.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type {
  CardUpdate,
  KeyClaimState,
  PaymentMethod,
  PaymentResult,
  PaymentState,
  RefundRecord,
  RefundRequest,
} from '../shared/payment-types';
import type { PaymentStatus } from '../shared/payment-status';

export interface ThreeDSResult {
  result: 'succeeded' | 'failed';
  /** When given, must match the charge awaiting 3DS; a stale result for another charge is ignored. */
  chargeId?: string;
  reason?: string;
}

export const threeDSCompletedSignal = defineSignal<[ThreeDSResult]>('threeDSCompleted');
export const getPaymentStateQuery = defineQuery<PaymentState>('getPaymentState');
/**
 * Where the run stands with its idempotency key (undefined for runs that do not claim one: older inputs). A
 * query, not an Update: the client polls it while starting, and a query adds nothing to the run's history.
 */
export const keyClaimQuery = defineQuery<KeyClaimState | undefined>('keyClaim');
export const replaceCardUpdate = defineUpdate<{ cardVersion: number }, [{ paymentMethod: PaymentMethod }]>(
  'replaceCard',
);
/**
 * A card update that arrives without a caller waiting: the gateway's card updater (Stripe's
 * `payment_method.automatically_updated`) or a customer portal. A signal, because neither can wait for an answer;
 * the workflow applies it with the same code as `replaceCard`, or records it as ignored with the reason.
 */
export const cardUpdatedSignal = defineSignal<[CardUpdate]>('cardUpdated');
export const cancelPaymentUpdate = defineUpdate<{ status: PaymentStatus }, [{ reason?: string }]>('cancelPayment');
export const retryPaymentUpdate = defineUpdate<{ status: PaymentStatus }, [{ reason?: string }]>('retryPayment');
/**
 * An operator's "try the gateway now" for a queued payment (degradation ladder level 4): the wait until its next
 * look is cut short and it charges (checking its key first). Refused for a payment in any other status.
 */
export const retryNowUpdate = defineUpdate<{ status: PaymentStatus }, [{ reason?: string }]>('retryNow');

/**
 * Refund part or all of a succeeded payment. An Update with a validator: the workflow serialises refunds, so
 * the total can never exceed what was captured however many requests race; a refused one leaves no trace.
 */
export const refundPaymentUpdate = defineUpdate<RefundRecord, [RefundRequest]>('refundPayment');

/**
 * Completes with the payment's answer once it has one (succeeded, failed, cancelled). Callers send it with
 * the fixed id below, so every waiter shares one Update: it is recorded in history once, not once per caller.
 */
export const paymentOutcomeUpdate = defineUpdate<PaymentOutcome, []>('paymentOutcome');

/**
 * The request whose start created the run, as its memo names it: the outcome echoes it so that a caller of
 * `PaymentsClient.pay()` learns whether it created the run, and the body the key was accepted with, from the one
 * call, without a describe. Not part of the payment's answer: the client strips it.
 */
export interface StartReceipt {
  startedBy: string;
  fingerprint: string;
}
export type PaymentOutcome = PaymentResult & { startedWith?: StartReceipt };
export const PAYMENT_OUTCOME_UPDATE_ID = 'payment-outcome';
