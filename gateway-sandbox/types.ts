/**
 * Wire types of the sandbox gateway: what goes over HTTP. Kept free of imports so the API side and tests can use
 * them without pulling in fastify or zod.
 */

export const CHARGE_STATUSES = ['succeeded', 'requires_action', 'failed'] as const;

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
  | 'authentication_required';

export type ThreeDsResult = 'succeeded' | 'failed';

export interface NextAction {
  type: 'three_d_secure';
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
}

/** One row of `GET /_sandbox/ledger`: every charge ever created, so tests can prove nothing was charged twice. */
export type LedgerEntry = Pick<
  Charge,
  'id' | 'idempotency_key' | 'amount' | 'currency' | 'status' | 'card_last4' | 'metadata' | 'created'
>;

export interface LedgerResponse {
  charges: LedgerEntry[];
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
  /** Prefix of the request path, e.g. `/v1/charges`. */
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

export interface WebhookEvent {
  id: string;
  type: 'charge.3ds_completed';
  /** Unix seconds. */
  created: number;
  data: { charge_id: string; result: ThreeDsResult; idempotency_key: string; metadata: Record<string, string> };
}
