/**
 * The gateway port: what the activities need from a card processor, in our own terms. Adapters (sandbox.ts,
 * stripe.ts) translate it to one processor's API and map that processor's errors, once, to our failure types
 * (`shared/errors.ts`): every method either resolves or throws an `ApplicationFailure` whose `type` is an
 * `ErrorType`, so `nonRetryableErrorTypes` in `shared/retry-policies.ts` decides what Temporal retries.
 *
 * A `Gateway` is a plain object of async methods and holds nothing a wrapper must know about: a decorator (a
 * circuit breaker, a metrics timer) wraps every method the same way without knowing which adapter is inside.
 */
import { ApplicationFailure } from '@temporalio/common';
import { ErrorType } from '../shared/errors';
import type { PaymentMethod, RefundReason } from '../shared/payment-types';

/** What became of a charge. Processors' other states are mapped onto these by the adapter. */
export type ChargeStatus =
  /** Captured: the payment's money. */
  | 'succeeded'
  /** Waiting for the cardholder's 3-D Secure challenge; then `confirmCharge`, or `cancelCharge`. */
  | 'requires_action'
  /** Declined; `declineCode` says why. A key that declined replays its decline. */
  | 'failed'
  /** Cancelled before capture (by us). */
  | 'canceled'
  /** The processor has not decided yet (Stripe's asynchronous `processing`): not an answer, ask again. */
  | 'processing';

export interface GatewayCharge {
  /** The processor's id: a sandbox charge id, or a Stripe PaymentIntent id. */
  id: string;
  status: ChargeStatus;
  /** Minor units. */
  amount: number;
  /** ISO 4217, upper case. */
  currency: string;
  /** The processor's decline code for a failed charge (Stripe's `decline_code`, else its error `code`). */
  declineCode?: string;
  /** Unix seconds. */
  created?: number;
  card?: { last4?: string; brand?: string; cvcCheck?: string; postalCodeCheck?: string };
  /** 3-D Secure result, when the charge was authenticated ('authenticated', 'failed' …). */
  threeDSecure?: string;
}

export interface CreateChargeRequest {
  paymentId: string;
  amount: number;
  currency: string;
  paymentMethod: PaymentMethod;
  /** Our key for this attempt (`<paymentId>:v1`, …); the processor's idempotency key. */
  idempotencyKey: string;
  /** The customer is not present (merchant-initiated): an issuer may decline asking for authentication. */
  offSession?: boolean;
  /** Ask the issuer to challenge the cardholder (the step-up after authentication_required). */
  requestThreeDS?: boolean;
  /**
   * An earlier request under this key may have reached the processor, so the adapter must not create a second
   * charge. `recent`: a retry minutes after the first (Temporal's activity retries); `any_time`: possibly days
   * later (an operator's retry after an unknown outcome), past any key memory the processor has.
   */
  earlierRequest?: 'recent' | 'any_time';
}

/** How to find what a key produced; `chargeId` when the run already knows the processor's id. */
export interface ChargeQuery {
  paymentId: string;
  idempotencyKey: string;
  chargeId?: string;
}

/**
 * `inFlight`: a request under the key is still being processed (or not yet visible): not an answer yet.
 * `charge` is the latest under the key; `charges` all of them, oldest first (more than one only if a processor
 * forgot the key and a charge was sent again: dispute evidence for `duplicate` shows them all).
 */
export type ChargeLookup =
  | { found: true; charge: GatewayCharge; charges: GatewayCharge[] }
  | { found: false; inFlight: false }
  | { found: false; inFlight: true };

export interface GatewayRefund {
  id: string;
  chargeId: string;
  amount: number;
  currency: string;
  status: string;
}

export interface CreateRefundRequest {
  paymentId: string;
  chargeId: string;
  amount: number;
  reason?: RefundReason;
  idempotencyKey: string;
}

export interface GatewayDispute {
  id: string;
  chargeId: string;
  /** Stripe's dispute statuses (`needs_response`, `under_review`, `won`, `lost` …). */
  status: string;
  reason: string;
}

export interface Gateway {
  /** Creates and confirms a charge, or answers with what an earlier request under the same key produced. */
  createCharge(req: CreateChargeRequest): Promise<GatewayCharge>;
  /** Confirms a charge after the cardholder's 3DS challenge. */
  confirmCharge(chargeId: string, idempotencyKey: string): Promise<GatewayCharge>;
  /** Cancels a charge awaiting 3DS; `GatewayInvalidRequest` when it already settled. */
  cancelCharge(chargeId: string, idempotencyKey: string): Promise<GatewayCharge>;
  findCharge(query: ChargeQuery): Promise<ChargeLookup>;
  getCharge(chargeId: string): Promise<GatewayCharge>;
  /** A 400-class refusal (too large, already refunded) is `GatewayInvalidRequest`. */
  createRefund(req: CreateRefundRequest): Promise<GatewayRefund>;
  /** The refund an earlier request under `idempotencyKey` made for `chargeId`, if any. */
  findRefund(chargeId: string, idempotencyKey: string): Promise<GatewayRefund | undefined>;
  getDispute(disputeId: string): Promise<GatewayDispute>;
  /** Submits the evidence: it goes to the bank and can no longer change. A refusal is `GatewayInvalidRequest`. */
  submitDisputeEvidence(disputeId: string, evidence: Record<string, string>, idempotencyKey: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * Failure types that say the processor (or the way to it) is unwell rather than that our request was wrong:
 * the only ones its circuit breaker counts. Declines, 4xx and 429 are answers from a working processor and never
 * trip it (a 429 is its own back-pressure, honoured by delay).
 */
export const GATEWAY_OUTAGE_ERROR_TYPES: readonly ErrorType[] = [
  ErrorType.GatewayNetwork,
  ErrorType.GatewayTimeout,
  ErrorType.GatewayConnectionLost,
  ErrorType.GatewayServerError,
];

export function isGatewayOutage(err: unknown): boolean {
  return err instanceof ApplicationFailure && GATEWAY_OUTAGE_ERROR_TYPES.includes(err.type as ErrorType);
}

export function isFailureOf(err: unknown, type: ErrorType): boolean {
  return err instanceof ApplicationFailure && err.type === type;
}
