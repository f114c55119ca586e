/**
 * Failure types, one named constant each. Activities throw `ApplicationFailure`s with these types and
 * `shared/retry-policies.ts` lists the non-retryable ones, so the thrower and the policy can never drift apart.
 */
export const ErrorType = {
  /** Could not connect (refused, DNS, connect timeout): the request was never sent. Retryable. */
  GatewayNetwork: 'GatewayNetwork',
  /** Read timeout: the request was sent, so the charge may or may not have happened. Retryable after a check. */
  GatewayTimeout: 'GatewayTimeout',
  /** The connection broke after the request was sent (reset, closed): outcome unknown, like a timeout. */
  GatewayConnectionLost: 'GatewayConnectionLost',
  /** HTTP 429; honours Retry-After through nextRetryDelay. Retryable. */
  GatewayRateLimited: 'GatewayRateLimited',
  /** HTTP 500/502/503/504: the gateway may have done the work; the outcome is unknown. Retryable. */
  GatewayServerError: 'GatewayServerError',
  /** HTTP 409 idempotency_key_in_use: another request with our key is still running. Retryable. */
  GatewayIdempotencyInUse: 'GatewayIdempotencyInUse',
  /** HTTP 400: our request was invalid; sending it again cannot help. */
  GatewayInvalidRequest: 'GatewayInvalidRequest',
  /** HTTP 400 idempotency_error: same key, different body. A bug on our side; never retried. */
  GatewayIdempotencyMismatch: 'GatewayIdempotencyMismatch',
  /** HTTP 401: bad API key; an operator must fix the configuration. */
  GatewayAuthentication: 'GatewayAuthentication',
  /**
   * HTTP 402 soft or processing decline. Not retried by Temporal: the gateway replays a stored decline for
   * the same key, so the workflow retries on its own schedule with a new key.
   */
  CardDeclinedRetryable: 'CardDeclinedRetryable',
  /** HTTP 402 hard decline: the card cannot succeed; needs a different card. */
  CardDeclinedHard: 'CardDeclinedHard',
  /** HTTP 402 fraud decline: never retried, the customer sees only a generic decline. */
  CardDeclinedFraud: 'CardDeclinedFraud',
  /** HTTP 402 authentication_required: the 3DS path, not a retry. */
  CardAuthenticationRequired: 'CardAuthenticationRequired',
  /**
   * The gateway's circuit breaker is open (or its half-open trials are taken): the call was refused in this
   * process and no request was sent. Retryable, after `nextRetryDelay` (when the breaker half-opens).
   */
  GatewayCircuitOpen: 'GatewayCircuitOpen',
  /**
   * A retry found the system-wide retry budget empty: no request was sent. Retryable after `nextRetryDelay`;
   * such refusals do not use up the charge's attempts (activities/charge-attempts.ts).
   */
  RetryBudgetExhausted: 'RetryBudgetExhausted',
  /** HTTP 400 on a refund (amount_too_large, charge_already_refunded …): the gateway will not refund this. */
  RefundRefused: 'RefundRefused',
  /** An input failed validation inside the workflow or an activity. */
  InvalidInput: 'InvalidInput',
  /** The audit store refused a write (unknown status, malformed id). */
  AuditRejected: 'AuditRejected',
  /** The merchant's webhook endpoint answered other than 2xx. Retryable with backoff (Stripe's practice). */
  MerchantWebhookRejected: 'MerchantWebhookRejected',
  /** The merchant's webhook endpoint could not be reached or did not answer in time. Retryable. */
  MerchantWebhookUnreachable: 'MerchantWebhookUnreachable',
  /** A delivery ran on a worker with no merchant endpoint configured; retried until an operator configures one. */
  MerchantWebhookNotConfigured: 'MerchantWebhookNotConfigured',
  /** A merchant event's delivery window closed without a 2xx: its run fails for an operator to see. */
  MerchantEventUndelivered: 'MerchantEventUndelivered',
} as const;

/**
 * How a payment run that did not succeed closes (workflows/payment-close.ts): the type of the failure it closes
 * with, which carries the payment's result. Not activity failures: nothing retries them.
 */
export const WorkflowCloseType = {
  /** Declined, or ended without a charge: the run closes Failed with this type. */
  PaymentFailed: 'PaymentFailed',
  /** Cancelled by the customer (the API's cancel): closes Failed with this type; a Temporal cancel closes Canceled. */
  PaymentCancelled: 'PaymentCancelled',
} as const;

export type ErrorType = (typeof ErrorType)[keyof typeof ErrorType];

/** Types Temporal must never retry: retrying cannot change the answer, or could double charge. */
export const NON_RETRYABLE_ERROR_TYPES: readonly ErrorType[] = [
  ErrorType.GatewayInvalidRequest,
  ErrorType.GatewayIdempotencyMismatch,
  ErrorType.GatewayAuthentication,
  ErrorType.CardDeclinedRetryable,
  ErrorType.CardDeclinedHard,
  ErrorType.CardDeclinedFraud,
  ErrorType.CardAuthenticationRequired,
  ErrorType.RefundRefused,
  ErrorType.InvalidInput,
  ErrorType.AuditRejected,
];
