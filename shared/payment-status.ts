/**
 * Every status a payment can be in. The same strings go into the `PaymentStatus` search attribute,
 * the audit trail and API responses, so they are part of the public contract: add, never rename.
 */
export const PAYMENT_STATUSES = [
  'initiated',
  'processing',
  'requires_action',
  'pending_retry',
  'unknown',
  'awaiting_payment_method',
  'succeeded',
  'failed',
  'cancelled',
  'dead_lettered',
  'partially_refunded',
  'refunded',
  /** The run was terminated (or timed out) before it recorded an end; the sweeper recorded what the gateway holds. */
  'terminated',
  /**
   * Degradation ladder level 4: no gateway could take the payment and nothing was charged; a trusted customer's
   * order is accepted and the payment waits here, durably, until the gateway answers again (or its window ends).
   */
  'queued',
] as const;

export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

/**
 * Statuses that answer "how did the payment end?" for a caller waiting on it. After `succeeded` the workflow
 * stays open for refunds (`partially_refunded`, `refunded`), but the payment's answer is already given.
 */
export const TERMINAL_STATUSES: readonly PaymentStatus[] = [
  'succeeded',
  'failed',
  'cancelled',
  'refunded',
  'partially_refunded',
  'terminated',
];

export function isPaymentStatus(value: string): value is PaymentStatus {
  return (PAYMENT_STATUSES as readonly string[]).includes(value);
}
