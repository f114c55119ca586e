/** What dispute evidence needs to know about our own payments; implemented over Temporal in bootstrap/. */
import type { PaymentState } from '../shared/payment-types';

export interface PaymentRecords {
  /** The payment's state as its workflow reports it (open or closed), or undefined if there is no such payment. */
  getPayment(paymentId: string): Promise<PaymentState | undefined>;
  /** Other succeeded payments of the same customer, newest first: a cardholder's purchase history. */
  priorPurchases(customerId: string, excludePaymentId: string): Promise<Array<{ paymentId: string; at: string }>>;
}

/** Links to the merchant's published policies, quoted in every dispute's evidence when configured. */
export interface MerchantPolicies {
  refundPolicyUrl?: string;
  termsOfServiceUrl?: string;
}
