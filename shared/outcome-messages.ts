/** Customer-safe messages for outcomes that are not card declines (those come from shared/declines.ts). */
export const CustomerMessage = {
  processing: 'Your payment is being processed.',
  succeeded: 'Your payment succeeded.',
  partiallyRefunded: 'Part of your payment was refunded.',
  refunded: 'Your payment was refunded.',
  requiresAction: 'Your bank needs you to confirm this payment.',
  authenticationFailed: 'We could not confirm this payment with your bank. Please try again.',
  cancelled: 'This payment was cancelled.',
  /** Stopped by an operator; if money moved, a person follows up (refund or fulfilment). */
  terminated: 'This payment was stopped. If you were charged, we will contact you.',
  unavailable: 'We could not process your payment right now. You have not been charged twice; we will keep trying.',
  failed: 'We could not process your payment. Please try again later or use a different payment method.',
  /** Degradation ladder level 4: the order stands, the payment waits for the gateway (seed 002). */
  delayed:
    'Your order is confirmed, but your payment is delayed: our payment provider is having problems. We will ' +
    'charge your card automatically as soon as it is resolved. You have not been charged yet.',
  /** Level 6, the seed's words; level 5's alternatives are added by gracefulFailureMessage (shared/degradation.ts). */
  experiencingIssues: "We're experiencing issues. Please try again later.",
  cardReplacementTimeout: 'We did not receive a new card in time, so this payment was not completed.',
} as const;
