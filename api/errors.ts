/**
 * Every error the API answers is JSON `{ error: { type, code, message } }`, its code one of API_ERRORS (status,
 * type and default message written once), including the ones fastify raises itself (malformed JSON, body too
 * large, wrong content type, unknown route). Client errors keep their message (a reused key says the API's own);
 * anything unexpected is a 500 that says only "internal error" and is logged in full.
 */
import { isGrpcCancelledError, isGrpcDeadlineError, isGrpcServiceError, ServiceError } from '@temporalio/client';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import type { Logger } from 'pino';
import { isIdempotencyKeyReused, isPaymentsClientError } from '../client/errors';
import { SIGNATURE_HEADER } from '../webhooks/signature';
import type { ErrorBody } from './schemas';

interface ApiErrorSpec {
  status: number;
  type: ErrorBody['error']['type'];
  /** What the answer says unless the thrower gives a message of its own (a client error always does). */
  message: string;
  /** Seconds a caller should wait before its retry, sent as `Retry-After` (RFC 9110 §10.2.3). */
  retryAfterS?: number;
}

/**
 * Every error code the API answers, with its HTTP status, type and default message: the one place each is
 * written. README.md's error table lists exactly these (test/api/error-catalogue.test.ts checks both ways).
 */
export const API_ERRORS = {
  validation_failed: { status: 400, type: 'invalid_request_error', message: 'The request is not valid.' },
  invalid_json: { status: 400, type: 'invalid_request_error', message: 'The request body is not valid JSON.' },
  /** Two Idempotency-Key headers: which one names the request is a guess, so neither is used. */
  duplicate_idempotency_key: {
    status: 400,
    type: 'invalid_request_error',
    message: 'Send exactly one Idempotency-Key header.',
  },
  missing_signature: {
    status: 400,
    type: 'invalid_request_error',
    message: `The ${SIGNATURE_HEADER} header is required.`,
  },
  /** Stripe's own events: Stripe documents a 400 for any signature failure (it retries, then shows it failing). */
  missing_stripe_signature: {
    status: 400,
    type: 'invalid_request_error',
    message: 'The Stripe-Signature header is required.',
  },
  invalid_stripe_signature: {
    status: 400,
    type: 'invalid_request_error',
    message: 'The Stripe-Signature header does not verify (secret, body or timestamp).',
  },
  invalid_event: { status: 400, type: 'invalid_request_error', message: 'The event is not valid.' },
  invalid_payloads: { status: 400, type: 'invalid_request_error', message: 'The body is not a Payloads message.' },
  payload_not_decodable: { status: 400, type: 'invalid_request_error', message: 'A payload could not be decoded.' },
  /** fastify's other 4xx errors; answered with fastify's own status, this one when it has none. */
  invalid_request: { status: 400, type: 'invalid_request_error', message: 'The request is not valid.' },
  missing_api_key: {
    status: 401,
    type: 'authentication_error',
    message: 'Provide your API key in the Authorization header as "Bearer <key>".',
  },
  invalid_api_key: { status: 401, type: 'authentication_error', message: 'Invalid API key.' },
  invalid_signature: { status: 401, type: 'authentication_error', message: 'The webhook signature does not match.' },
  signature_expired: {
    status: 401,
    type: 'authentication_error',
    message: "The signature's timestamp is too far from now.",
  },
  origin_not_allowed: { status: 403, type: 'permission_error', message: 'Origin not allowed.' },
  payment_not_found: { status: 404, type: 'invalid_request_error', message: 'No such payment.' },
  dispute_not_found: { status: 404, type: 'invalid_request_error', message: 'No such dispute.' },
  route_not_found: { status: 404, type: 'invalid_request_error', message: 'No such route.' },
  payment_state_conflict: {
    status: 409,
    type: 'invalid_request_error',
    message: "The payment's state refuses this request.",
  },
  dispute_state_conflict: {
    status: 409,
    type: 'invalid_request_error',
    message: "The dispute's state refuses this request.",
  },
  body_too_large: { status: 413, type: 'invalid_request_error', message: 'The request body is larger than 1 MiB.' },
  unsupported_media_type: {
    status: 415,
    type: 'invalid_request_error',
    message: 'Send the request body as application/json.',
  },
  idempotency_key_reused: {
    status: 422,
    type: 'idempotency_error',
    message: 'This Idempotency-Key was already used with different parameters.',
  },
  internal_error: { status: 500, type: 'api_error', message: 'internal error' },
  /** The client's PaymentPendingError: the run exists but has not claimed its key yet. */
  // A claim is the run's first audit write: it is usually there a moment later.
  payment_pending: {
    status: 503,
    type: 'api_error',
    message: 'The payment has started but not yet claimed its Idempotency-Key; retry with the same key.',
    retryAfterS: 1,
  },
  service_unavailable: {
    status: 503,
    type: 'api_error',
    message: 'The payments service is unavailable; retry later.',
    retryAfterS: 2,
  },
} as const satisfies Record<string, ApiErrorSpec>;

export type ApiErrorCode = keyof typeof API_ERRORS;

/** An error a route throws on purpose; the handler below answers it as is. */
export class ApiError extends Error {
  override name = 'ApiError';
  readonly statusCode: number;
  readonly type: ApiErrorSpec['type'];

  constructor(
    readonly code: ApiErrorCode,
    message: string = API_ERRORS[code].message,
    statusCode: number = API_ERRORS[code].status,
  ) {
    super(message);
    this.statusCode = statusCode;
    this.type = API_ERRORS[code].type;
  }
}

/** The API error `code` stands for, saying `message` instead of the table's when given. */
export const apiError = (code: ApiErrorCode, message?: string): ApiError => new ApiError(code, message);

/** gRPC status codes that mean "Temporal is not reachable right now": worth a retry by the caller. */
const UNAVAILABLE_GRPC_CODES = new Set([4 /* DEADLINE_EXCEEDED */, 14 /* UNAVAILABLE */]);

/** Maps any thrown value to the API error it is answered with; undefined means "unexpected: 500". */
export function toApiError(error: unknown): ApiError | undefined {
  if (error instanceof ApiError) return error;
  // Both the payment's and the refund's wording of a reused key say the same to an API caller.
  if (isIdempotencyKeyReused(error)) return apiError('idempotency_key_reused');
  // The client's codes are API codes (client/errors.ts); its message is meant for the caller.
  if (isPaymentsClientError(error)) return apiError(error.code, error.message);
  if (isTemporalUnavailable(error)) return apiError('service_unavailable');
  if (hasZodFastifySchemaValidationErrors(error)) return apiError('validation_failed', validationMessage(error));
  return fastifyClientError(error);
}

/** Temporal unreachable, or a call we cut short (a read's deadline, shutdown): worth a retry by the caller. */
function isTemporalUnavailable(error: unknown): boolean {
  if (isGrpcCancelledError(error) || isGrpcDeadlineError(error)) return true;
  const grpc = error instanceof ServiceError ? error.cause : error;
  return isGrpcServiceError(grpc) && UNAVAILABLE_GRPC_CODES.has(grpc.code);
}

/** `body.amount: amount must be positive; idempotency-key header: must not be empty`. */
function validationMessage(error: FastifyError): string {
  const where = error.validationContext ?? 'request';
  return (error.validation ?? [])
    .map((issue) => {
      const path = issue.instancePath.split('/').filter(Boolean).join('.');
      if (where === 'headers') return `${headerName(path)} header: ${issue.message}`;
      return `${path ? `${where}.${path}` : where}: ${issue.message}`;
    })
    .join('; ');
}

/** `idempotency-key` → `Idempotency-Key`, as the docs spell it. */
function headerName(name: string): string {
  return name.replace(/(^|-)([a-z])/g, (_m, dash: string, c: string) => dash + c.toUpperCase()) || 'Request';
}

/**
 * fastify's own 4xx errors, with fixed messages: a JSON parser's message can quote the body (and so a card
 * number) back, so it is never passed through.
 */
function fastifyClientError(error: unknown): ApiError | undefined {
  const e = error as Partial<FastifyError>;
  const status = e.statusCode;
  if (typeof status !== 'number' || status < 400 || status >= 500) return undefined;
  switch (e.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return apiError('invalid_json');
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return apiError('body_too_large');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return apiError('unsupported_media_type');
    default:
      if (e instanceof SyntaxError) return apiError('invalid_json');
      return new ApiError('invalid_request', undefined, status);
  }
}

function errorBody(error: ApiError): ErrorBody {
  return { error: { type: error.type, code: error.code, message: error.message } };
}

export function sendApiError(reply: FastifyReply, error: ApiError): FastifyReply {
  if (error.statusCode === 401) reply.header('www-authenticate', 'Bearer');
  const spec: ApiErrorSpec = API_ERRORS[error.code];
  if (spec.retryAfterS !== undefined) reply.header('retry-after', String(spec.retryAfterS));
  return reply.code(error.statusCode).send(errorBody(error));
}

export function registerErrorHandlers(app: FastifyInstance, logger: Logger): void {
  app.setErrorHandler((error: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const answer = toApiError(error);
    if (answer) {
      if (answer.statusCode >= 500) logger.warn({ err: error, reqId: request.id }, answer.message);
      return sendApiError(reply, answer);
    }
    // The detail goes to the log only; the caller learns nothing about the internals.
    logger.error({ err: error, reqId: request.id, method: request.method, url: request.url }, 'request failed');
    return sendApiError(reply, apiError('internal_error'));
  });

  app.setNotFoundHandler((request, reply) =>
    sendApiError(reply, apiError('route_not_found', `No route for ${request.method} ${request.url.split('?')[0]}.`)),
  );
}
