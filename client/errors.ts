/**
 * Every error the client library raises on purpose, under one base class with a stable `code`. Callers (the
 * API's error mapping, the CLI's exit codes, webhook handlers) match them with the type guards below, never by
 * `name`: a name is for people reading logs and stack traces.
 */

/** The codes are the API's error codes for the same conditions (api/errors.ts answers each as its own). */
export type PaymentsClientErrorCode =
  | 'validation_failed'
  | 'idempotency_key_reused'
  | 'payment_not_found'
  | 'payment_state_conflict'
  | 'dispute_not_found'
  | 'dispute_state_conflict'
  | 'payment_pending';

export abstract class PaymentsClientError extends Error {
  abstract readonly code: PaymentsClientErrorCode;
}

/** Input the client refuses (zod, see parse.ts); `issues` lists every problem with its path. */
export class PaymentValidationError extends PaymentsClientError {
  override name = 'PaymentValidationError';
  readonly code = 'validation_failed';
  constructor(
    message: string,
    readonly issues: Array<{ path: string; message: string }> = [],
  ) {
    super(message);
  }
}

/** The same idempotency key was used with different parameters (Stripe answers this with an error too). */
export class IdempotencyKeyReusedError extends PaymentsClientError {
  override name = 'IdempotencyKeyReusedError';
  readonly code = 'idempotency_key_reused';
}

export class PaymentNotFoundError extends PaymentsClientError {
  override name = 'PaymentNotFoundError';
  readonly code = 'payment_not_found';
}

/** The payment is not in a state that accepts this request (e.g. cancelling a succeeded payment). */
export class PaymentStateError extends PaymentsClientError {
  override name = 'PaymentStateError';
  readonly code = 'payment_state_conflict';
}

export class DisputeNotFoundError extends PaymentsClientError {
  override name = 'DisputeNotFoundError';
  readonly code = 'dispute_not_found';
}

/** The dispute is past the point where this request is accepted (e.g. approving submitted evidence). */
export class DisputeStateError extends PaymentsClientError {
  override name = 'DisputeStateError';
  readonly code = 'dispute_state_conflict';
}

/**
 * The run was started (or met) but has not claimed its idempotency key within the client's wait, so whether this
 * request is the key's first or a reuse is not known yet (a worker restarted, the audit database is slow). Nothing
 * is lost: a retry with the same key meets the same run and gets the answer the first request would have.
 */
export class PaymentPendingError extends PaymentsClientError {
  override name = 'PaymentPendingError';
  readonly code = 'payment_pending';
  constructor(readonly paymentId: string) {
    super(`payment ${paymentId} has not claimed its idempotency key yet; retry with the same key`);
  }
}

export const isPaymentsClientError = (err: unknown): err is PaymentsClientError => err instanceof PaymentsClientError;
export const isValidationError = (err: unknown): err is PaymentValidationError => err instanceof PaymentValidationError;
export const isIdempotencyKeyReused = (err: unknown): err is IdempotencyKeyReusedError =>
  err instanceof IdempotencyKeyReusedError;
export const isPaymentNotFound = (err: unknown): err is PaymentNotFoundError => err instanceof PaymentNotFoundError;
export const isPaymentStateConflict = (err: unknown): err is PaymentStateError => err instanceof PaymentStateError;
export const isDisputeNotFound = (err: unknown): err is DisputeNotFoundError => err instanceof DisputeNotFoundError;
export const isPaymentPending = (err: unknown): err is PaymentPendingError => err instanceof PaymentPendingError;
export const isDisputeStateConflict = (err: unknown): err is DisputeStateError => err instanceof DisputeStateError;
