/**
 * Stripe's errors in our failure types, mapped once (https://docs.stripe.com/error-handling and
 * https://docs.stripe.com/api/errors). Retryable or not is then decided by `shared/retry-policies.ts`.
 */
import type { ApplicationFailure } from '@temporalio/common';
import Stripe from 'stripe';
import { ErrorType } from '../shared/errors';
import { declineFailure, gatewayFailure } from './failures';

/** Codes that say another request holds the key or the object: in flight, ask again later. */
const IN_FLIGHT_CODES = new Set(['idempotency_key_in_use', 'lock_timeout']);

/**
 * Maps what the stripe package threw. Anything that is not a StripeError (a bug of ours, a TypeError) is
 * returned as it is, so it surfaces instead of being retried as an outage.
 */
export function stripeFailure(err: unknown): unknown {
  if (!(err instanceof Stripe.errors.StripeError)) return err;
  const status = err.statusCode;
  const rawType = err.rawType;
  const code = err.code;
  const message = `stripe ${status ?? 'no response'}: ${code ?? rawType ?? err.type}${requestIdOf(err)}`;
  // The request may have reached Stripe (a timeout, a reset): outcome unknown, check before sending again.
  if (err instanceof Stripe.errors.StripeConnectionError)
    return gatewayFailure(ErrorType.GatewayConnectionLost, message);
  if (status === 409 || (code && IN_FLIGHT_CODES.has(code))) {
    return gatewayFailure(ErrorType.GatewayIdempotencyInUse, message);
  }
  if (rawType === 'card_error' || status === 402) return cardDecline(err);
  if (rawType === 'rate_limit_error' || status === 429) {
    return gatewayFailure(ErrorType.GatewayRateLimited, message, retryAfterMs(err));
  }
  if (rawType === 'idempotency_error') return gatewayFailure(ErrorType.GatewayIdempotencyMismatch, message);
  if (rawType === 'authentication_error' || status === 401 || status === 403) {
    return gatewayFailure(ErrorType.GatewayAuthentication, message);
  }
  if (rawType === 'invalid_request_error' || status === 400 || status === 404) {
    return gatewayFailure(ErrorType.GatewayInvalidRequest, message);
  }
  // api_error, 5xx and anything unforeseen: Stripe may have done the work.
  return gatewayFailure(ErrorType.GatewayServerError, message);
}

/** `decline_code` for `card_declined`; otherwise the error's own code (expired_card, incorrect_cvc …). */
function cardDecline(err: Stripe.errors.StripeError): ApplicationFailure {
  // `||`, not `??`: the package may leave an absent code as an empty string.
  return declineFailure(err.decline_code || err.code || 'generic_decline', err.payment_intent?.id);
}

function retryAfterMs(err: Stripe.errors.StripeError): number | undefined {
  const header = (err.headers as Record<string, string | undefined> | undefined)?.['retry-after'];
  const seconds = Number(header);
  return header !== undefined && Number.isFinite(seconds) && seconds >= 0 ? Math.max(1, seconds * 1000) : undefined;
}

function requestIdOf(err: Stripe.errors.StripeError): string {
  return err.requestId ? ` (request ${err.requestId})` : '';
}
