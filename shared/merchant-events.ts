/**
 * Events out: what the merchant's backend hears about its payments, refunds and disputes, as signed webhooks.
 * Plain types and constants only: the delivery workflow (workflows/merchant-event.ts) imports this file.
 */

/** Every event type we send. Part of the public contract: add, never rename. */
export const MERCHANT_EVENT_TYPES = [
  'payment.requires_action',
  'payment.awaiting_payment_method',
  'payment.succeeded',
  'payment.failed',
  'payment.cancelled',
  'payment.dead_lettered',
  'payment.terminated',
  'payment.delayed',
  'refund.created',
  'refund.failed',
  'dispute.created',
  'dispute.submitted',
  'dispute.closed',
] as const;

export type MerchantEventType = (typeof MERCHANT_EVENT_TYPES)[number];

/**
 * One event. `id` is derived from the audit row it reports (the same row always gives the same id), so a
 * receiver de-duplicates by it; `sequence` is the row's place in its payment's trail, for ordering.
 */
export interface MerchantEvent {
  id: string;
  type: MerchantEventType;
  /** When the status change happened (ISO 8601). */
  created: string;
  data: Record<string, string | number | boolean>;
}

/** How long and how often a delivery is retried; part of the delivery run's input, so a running one keeps its own. */
export interface DeliveryPolicy {
  initialIntervalMs: number;
  maximumIntervalMs: number;
  /** After this long without a 2xx the event is given up (its run fails, visibly, for an operator). */
  windowMs: number;
}

/** Stripe's own schedule for its webhooks: retried with backoff for up to three days. */
export const DEFAULT_DELIVERY_POLICY: DeliveryPolicy = {
  initialIntervalMs: 1_000,
  maximumIntervalMs: 3_600_000,
  windowMs: 3 * 24 * 3_600_000,
};

/** One delivery run per event: its workflow id is the de-duplication of the sending side. */
export function merchantEventWorkflowId(eventId: string): string {
  return `merchant-event-${eventId}`;
}
