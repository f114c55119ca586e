/** Errors the client raises; the API maps each to an HTTP status. */
export class PaymentValidationError extends Error {
  override name = 'PaymentValidationError';
  constructor(
    message: string,
    readonly issues: Array<{ path: string; message: string }> = [],
  ) {
    super(message);
  }
}

/** The same idempotency key was used with different parameters (Stripe answers this with an error too). */
export class IdempotencyKeyReusedError extends Error {
  override name = 'IdempotencyKeyReusedError';
}

export class PaymentNotFoundError extends Error {
  override name = 'PaymentNotFoundError';
}

/** The payment is not in a state that accepts this request (e.g. cancelling a succeeded payment). */
export class PaymentStateError extends Error {
  override name = 'PaymentStateError';
}
