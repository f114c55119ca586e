/** Wire types of the refunds workflow (workflows/refunds.ts). Plain types only: this file runs in the sandbox. */
import type { PaymentPolicy, RefundRecord, StatusChange } from './payment-types';
import type { PaymentStatus } from './payment-status';

export const REFUNDS_INPUT_VERSION = 1;

/** The parts of a payment's policy a refund uses, and how long a refunds run waits for the next request. */
export interface RefundsPolicy extends Pick<
  PaymentPolicy,
  'gatewayCallTimeoutMs' | 'unknownOutcome' | 'refundRetry' | 'refundWindowMs'
> {
  /** The run closes after this long without a request; the next refund starts a new run (same id). */
  idleMs: number;
}

export interface RefundsInput {
  version: number;
  paymentId: string;
  /** Complete, resolved by the client when the run starts (a run keeps it for life, like a payment's). */
  policy: RefundsPolicy;
}

/**
 * The payment as the audit trail holds it, read by an activity when a refunds run starts: the capture (a
 * `succeeded` row, or the sweeper's `terminated` row of a charged run), and every refund any run made of it.
 */
export type RefundLedger =
  | { refundable: false; status: PaymentStatus | undefined }
  | {
      refundable: true;
      /** The latest status of the payment's money: succeeded, terminated, partially_refunded, refunded. */
      status: PaymentStatus;
      chargeId: string;
      /** The gateway that holds the charge, when the payment routed (failover): its refunds go there. */
      gateway?: string;
      amount: number;
      currency: string;
      capturedAt: string;
      /** As the payment recorded it; undefined when the capture row names no window (then the policy's). */
      refundableUntil?: string;
      amountRefunded: number;
      refunds: RefundRecord[];
      /** The refund rows already in the trail, so a later run shows the earlier refunds too. */
      history: StatusChange[];
    };

/** Why a refunds run closed. */
export type RefundsClosure = 'idle' | 'fully_refunded' | 'window_closed' | 'not_refundable';

export interface RefundsResult {
  paymentId: string;
  status: PaymentStatus;
  amountRefunded: number;
  closed: RefundsClosure;
}
