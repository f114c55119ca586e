/**
 * The sandbox adapter's error mapping: turns the sandbox's HTTP answers and socket errors into our typed
 * ApplicationFailures, once. Whether a type is retried is decided by `shared/retry-policies.ts`.
 */
import { ApplicationFailure, ApplicationFailureCategory } from '@temporalio/common';
import { ErrorType } from '../shared/errors';
import { declineFailure } from './failures';

export interface GatewayErrorBody {
  error?: { type?: string; code?: string; decline_code?: string; message?: string; charge?: string };
}

/** Maps a non-2xx HTTP answer. `retryAfter` is the raw Retry-After header, in seconds. */
export function httpFailure(status: number, body: GatewayErrorBody, retryAfter?: string): ApplicationFailure {
  const err = body.error ?? {};
  const message = `gateway HTTP ${status}: ${err.code ?? err.type ?? 'error'}`;
  // Stripe's default when a 402 carries no decline_code is generic_decline.
  if (status === 402) return declineFailure(err.decline_code ?? 'generic_decline', err.charge);
  if (status === 429) {
    const seconds = Number(retryAfter);
    return ApplicationFailure.create({
      type: ErrorType.GatewayRateLimited,
      message,
      // Rate limiters run before the gateway's idempotency layer: nothing happened, wait as asked.
      nextRetryDelay: Number.isFinite(seconds) && seconds >= 0 ? Math.max(1, seconds * 1000) : undefined,
      category: ApplicationFailureCategory.BENIGN,
    });
  }
  if (status === 409) return ApplicationFailure.create({ type: ErrorType.GatewayIdempotencyInUse, message });
  if (status >= 500) return ApplicationFailure.create({ type: ErrorType.GatewayServerError, message });
  if (status === 401 || status === 403)
    return ApplicationFailure.create({ type: ErrorType.GatewayAuthentication, message, nonRetryable: true });
  if (err.type === 'idempotency_error') {
    return ApplicationFailure.create({ type: ErrorType.GatewayIdempotencyMismatch, message, nonRetryable: true });
  }
  return ApplicationFailure.create({ type: ErrorType.GatewayInvalidRequest, message, nonRetryable: true });
}

const NOT_SENT = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);
const READ_TIMEOUT = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

/** Maps a socket-level error: was the request possibly received (unknown outcome) or certainly not? */
export function transportFailure(error: unknown): ApplicationFailure {
  const code = (error as { code?: string }).code ?? 'UNKNOWN';
  const message = `gateway transport error ${code}: ${(error as Error).message}`;
  if (NOT_SENT.has(code)) return ApplicationFailure.create({ type: ErrorType.GatewayNetwork, message });
  if (READ_TIMEOUT.has(code)) return ApplicationFailure.create({ type: ErrorType.GatewayTimeout, message });
  return ApplicationFailure.create({ type: ErrorType.GatewayConnectionLost, message });
}
