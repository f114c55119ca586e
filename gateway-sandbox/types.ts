/**
 * Wire types of the sandbox gateway: what goes over HTTP. Kept free of imports so the sandbox's tests can use them
 * without pulling in fastify or zod (our own sandbox client, gateways/sandbox-client.ts, has its own types).
 */

/** `canceled`: a charge awaiting 3DS that the merchant cancelled (Stripe's PaymentIntent cancel); it can never capture. */
export const CHARGE_STATUSES = ['succeeded', 'requires_action', 'failed', 'canceled'] as const;

export type ChargeStatus = (typeof CHARGE_STATUSES)[number];

/** Stripe decline codes the sandbox can produce (test cards plus the 3DS failure). */
export type DeclineCode =
  | 'generic_decline'
  | 'insufficient_funds'
  | 'expired_card'
  | 'incorrect_cvc'
  | 'processing_error'
  | 'lost_card'
  | 'stolen_card'
  | 'incorrect_number'
  | 'duplicate_transaction'
  | 'authentication_required';

export type ThreeDsResult = 'succeeded' | 'failed';

export interface NextAction {
  type: 'three_d_secure';
}

/** Stripe's `card.brand` values the sandbox can infer from a number's prefix. */
export type CardBrand = 'visa' | 'mastercard' | 'amex' | 'discover' | 'diners' | 'jcb' | 'unionpay' | 'unknown';

/** What a dispute-evidence gatherer needs about the card, never the full number. */
export interface PaymentMethodDetails {
  card: {
    last4: string;
    brand: CardBrand;
    /** `fail` only for the incorrect-CVC test card; the sandbox has no address to check, so postal code passes. */
    checks: { cvc_check: 'pass' | 'fail'; address_postal_code_check: 'pass' };
  };
  /** null until the customer's 3DS result is known, and for charges that never needed 3DS. */
  three_d_secure: { result: 'authenticated' | 'failed' } | null;
}

/** Amounts are integer minor units; `currency` is a lowercase ISO 4217 code. */
export interface Charge {
  id: string;
  object: 'charge';
  amount: number;
  currency: string;
  status: ChargeStatus;
  idempotency_key: string;
  metadata: Record<string, string>;
  card_last4: string;
  /** Unix seconds. */
  created: number;
  next_action?: NextAction;
  failure_code?: string;
  decline_code?: DeclineCode;
  /** Sum of the charge's refunds; never more than `amount`. */
  amount_refunded: number;
  /** True once `amount_refunded` reached `amount`. */
  refunded: boolean;
  payment_method_details: PaymentMethodDetails;
}

export interface ChargeList {
  object: 'list';
  data: Charge[];
}

export type PaymentMethodInput = { type: 'card'; number: string } | { type: 'token'; token: string };

export interface CreateChargeInput {
  amount: number;
  currency: string;
  payment_method: PaymentMethodInput;
  metadata?: Record<string, string>;
  off_session?: boolean;
  payment_method_options?: { card: { request_three_d_secure: 'any' | 'automatic' } };
}

/** One row of `GET /_sandbox/ledger`: every charge ever created, so tests can prove nothing was charged twice. */
export type LedgerEntry = Pick<
  Charge,
  'id' | 'idempotency_key' | 'amount' | 'currency' | 'status' | 'card_last4' | 'metadata' | 'created'
>;

export const REFUND_REASONS = ['duplicate', 'fraudulent', 'requested_by_customer'] as const;

export type RefundReason = (typeof REFUND_REASONS)[number];

/** Refunds succeed at once in the sandbox, as card refunds do in Stripe test mode. */
export interface Refund {
  id: string;
  object: 'refund';
  charge: string;
  amount: number;
  currency: string;
  status: 'succeeded';
  reason: RefundReason | null;
  idempotency_key: string;
  metadata: Record<string, string>;
  /** Unix seconds. */
  created: number;
}

export interface CreateRefundInput {
  charge: string;
  /** Minor units; defaults to the charge's unrefunded remainder. */
  amount?: number;
  reason?: RefundReason;
  metadata?: Record<string, string>;
}

export interface RefundList {
  object: 'list';
  data: Refund[];
}

/** Stripe's dispute reasons. */
export const DISPUTE_REASONS = [
  'bank_cannot_process',
  'check_returned',
  'credit_not_processed',
  'customer_initiated',
  'debit_not_authorized',
  'duplicate',
  'fraudulent',
  'general',
  'incorrect_account_details',
  'insufficient_funds',
  'product_not_received',
  'product_unacceptable',
  'subscription_canceled',
  'unrecognized',
] as const;

export type DisputeReason = (typeof DISPUTE_REASONS)[number];

export const DISPUTE_STATUSES = ['needs_response', 'under_review', 'won', 'lost'] as const;

export type DisputeStatus = (typeof DISPUTE_STATUSES)[number];

/** Stripe's evidence field names. All are strings here: the sandbox has no file uploads, so file fields take ids. */
export const DISPUTE_EVIDENCE_FIELDS = [
  'access_activity_log',
  'billing_address',
  'cancellation_policy',
  'cancellation_policy_disclosure',
  'cancellation_rebuttal',
  'customer_communication',
  'customer_email_address',
  'customer_name',
  'customer_purchase_ip',
  'customer_signature',
  'duplicate_charge_documentation',
  'duplicate_charge_explanation',
  'duplicate_charge_id',
  'product_description',
  'receipt',
  'refund_policy',
  'refund_policy_disclosure',
  'refund_refusal_explanation',
  'service_date',
  'service_documentation',
  'shipping_address',
  'shipping_carrier',
  'shipping_date',
  'shipping_documentation',
  'shipping_tracking_number',
  'uncategorized_file',
  'uncategorized_text',
] as const;

export type DisputeEvidenceField = (typeof DISPUTE_EVIDENCE_FIELDS)[number];

/** Only the fields that were given: Stripe lists every field with null, which says nothing more. */
export type DisputeEvidence = Partial<Record<DisputeEvidenceField, string>>;

export interface DisputeEvidenceDetails {
  /** Unix seconds, as Stripe gives it. */
  due_by: number;
  /** Sandbox extension: the same deadline in epoch milliseconds, so tests with short deadlines can be exact. */
  due_by_ms: number;
  has_evidence: boolean;
  /** Sandbox meaning: the deadline passed while the dispute still needed a response (nothing was submitted). */
  past_due: boolean;
  submission_count: number;
}

export interface Dispute {
  id: string;
  object: 'dispute';
  charge: string;
  amount: number;
  currency: string;
  reason: DisputeReason;
  status: DisputeStatus;
  evidence: DisputeEvidence;
  evidence_details: DisputeEvidenceDetails;
  /** Starts as a copy of the charge's metadata, so a webhook receiver can find its payment. */
  metadata: Record<string, string>;
  /** Unix seconds. */
  created: number;
}

export interface DisputeList {
  object: 'list';
  data: Dispute[];
}

/** Body of `POST /v1/disputes/:id`. Omitting `submit` while giving `evidence` submits, as Stripe's default does. */
export interface UpdateDisputeInput {
  evidence?: DisputeEvidence;
  submit?: boolean;
  /** Merged into the dispute's metadata; an empty value removes its key, as at Stripe. */
  metadata?: Record<string, string>;
}

/** Body of `POST /_sandbox/disputes`: the customer's bank opens a dispute. */
export interface OpenDisputeInput {
  charge: string;
  reason: DisputeReason;
  /** Defaults to the charge amount. */
  amount?: number;
  /** Defaults to 7 days. */
  due_in_ms?: number;
}

export interface LedgerResponse {
  charges: LedgerEntry[];
  /** Every refund, in creation order. */
  refunds: Refund[];
  /** Every dispute, in creation order. */
  disputes: Dispute[];
}

export type GatewayErrorType =
  | 'authentication_error'
  | 'invalid_request_error'
  | 'idempotency_error'
  | 'card_error'
  | 'rate_limit_error'
  | 'api_error';

export interface GatewayError {
  type: GatewayErrorType;
  code?: string;
  decline_code?: DeclineCode;
  message: string;
  /** The failed charge's id, on card errors. */
  charge?: string;
  /** Stripe-style name of the offending parameter, e.g. `payment_method[number]`. */
  param?: string;
}

export interface GatewayErrorBody {
  error: GatewayError;
}

export type FaultKind = 'latency' | 'status' | 'rate_limit' | 'reset' | 'commit_then_drop';

export type FaultStatus = 500 | 502 | 503 | 504;

export interface FaultMatch {
  method?: string;
  /**
   * Prefix of the request path, e.g. `/v1/charges` or `/v1/refunds`. A prefix also matches the reads below it
   * (`/v1/refunds/re_…`), so add `method: 'POST'` to fault only the creating request.
   */
  path?: string;
  idempotencyKeyPrefix?: string;
}

/** Body of `POST /_sandbox/faults`. Omitting `count` while giving `probability` makes the fault unlimited. */
export interface FaultSpec {
  kind: FaultKind;
  count?: number;
  probability?: number;
  latencyMs?: number;
  status?: FaultStatus;
  retryAfterSeconds?: number;
  match?: FaultMatch;
}

/** A fault as listed by `GET /_sandbox/faults`; `remaining: null` means unlimited. */
export interface Fault {
  id: string;
  kind: FaultKind;
  remaining: number | null;
  probability: number;
  hits: number;
  latencyMs?: number;
  status?: FaultStatus;
  retryAfterSeconds?: number;
  match?: FaultMatch;
}

export interface ThreeDsCompletedEvent {
  id: string;
  type: 'charge.3ds_completed';
  /** Unix seconds. */
  created: number;
  data: { charge_id: string; result: ThreeDsResult; idempotency_key: string; metadata: Record<string, string> };
}

/** `data.dispute` is the dispute as it was when the event was created; a resend carries the same snapshot. */
export interface DisputeEvent {
  id: string;
  type: 'dispute.created' | 'dispute.closed';
  /** Unix seconds. */
  created: number;
  data: {
    dispute: Dispute;
    charge_id: string;
    /** The disputed charge's idempotency key and metadata, so a receiver can find its payment. */
    idempotency_key: string;
    metadata: Record<string, string>;
  };
}

export type WebhookEvent = ThreeDsCompletedEvent | DisputeEvent;

export interface WebhookEventList {
  object: 'list';
  data: WebhookEvent[];
}
