/**
 * Messages of the refunds workflow. A refund is an Update with a validator, as on the payment runs of input
 * versions 2 and 3: the workflow serialises refunds, so the total can never exceed the capture.
 */
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { PaymentState, RefundRecord, RefundRequest } from '../shared/payment-types';

/** The payment's refund state; `loaded` is false until the run has read the audit trail. */
export interface RefundsView {
  loaded: boolean;
  state: PaymentState;
}

export const getRefundsQuery = defineQuery<RefundsView>('getRefunds');
export const requestRefundUpdate = defineUpdate<RefundRecord, [RefundRequest]>('requestRefund');
