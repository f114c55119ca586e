/**
 * Every error the API answers is JSON `{ error: { type, code, message } }` with the right status, including the
 * ones fastify raises itself (malformed JSON, body too large, wrong content type, unknown route). Client errors
 * keep their message; anything unexpected is a 500 that says only "internal error" and is logged in full.
 */
import { isGrpcCancelledError, isGrpcDeadlineError, isGrpcServiceError, ServiceError } from '@temporalio/client';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import type { Logger } from 'pino';
import {
  isDisputeNotFound,
  isDisputeStateConflict,
  isIdempotencyKeyReused,
  isPaymentNotFound,
  isPaymentStateConflict,
  isValidationError,
} from '../client/errors';
import type { ErrorBody } from './schemas';

export type ErrorType = ErrorBody['error']['type'];

/** An error a route throws on purpose; the handler below answers it as is. */
export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly statusCode: number,
    readonly type: ErrorType,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export const badRequest = (code: string, message: string) => new ApiError(400, 'invalid_request_error', code, message);

/** Two Idempotency-Key headers: which one names the request is a guess, so neither is used. */
export const duplicateIdempotencyKey = () =>
  badRequest('duplicate_idempotency_key', 'Send exactly one Idempotency-Key header.');

/** gRPC status codes that mean "Temporal is not reachable right now": worth a retry by the caller. */
const UNAVAILABLE_GRPC_CODES = new Set([4 /* DEADLINE_EXCEEDED */, 14 /* UNAVAILABLE */]);

/** Maps any thrown value to the API error it is answered with; undefined means "unexpected: 500". */
export function toApiError(error: unknown): ApiError | undefined {
  if (error instanceof ApiError) return error;
  if (isValidationError(error)) return badRequest('validation_failed', error.message);
  if (isIdempotencyKeyReused(error)) {
    return new ApiError(
      422,
      'idempotency_error',
      'idempotency_key_reused',
      'This Idempotency-Key was already used with different parameters.',
    );
  }
  if (isDisputeNotFound(error)) {
    return new ApiError(404, 'invalid_request_error', 'dispute_not_found', error.message);
  }
  if (isDisputeStateConflict(error)) {
    return new ApiError(409, 'invalid_request_error', 'dispute_state_conflict', error.message);
  }
  if (isPaymentNotFound(error)) {
    return new ApiError(404, 'invalid_request_error', 'payment_not_found', error.message);
  }
  if (isPaymentStateConflict(error)) {
    return new ApiError(409, 'invalid_request_error', 'payment_state_conflict', error.message);
  }
  if (isTemporalUnavailable(error)) {
    return new ApiError(503, 'api_error', 'service_unavailable', 'The payments service is unavailable; retry later.');
  }
  if (hasZodFastifySchemaValidationErrors(error)) {
    return badRequest('validation_failed', validationMessage(error));
  }
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
      return badRequest('invalid_json', 'The request body is not valid JSON.');
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ApiError(413, 'invalid_request_error', 'body_too_large', 'The request body is larger than 1 MiB.');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new ApiError(
        415,
        'invalid_request_error',
        'unsupported_media_type',
        'Send the request body as application/json.',
      );
    default:
      if (e instanceof SyntaxError) return badRequest('invalid_json', 'The request body is not valid JSON.');
      return new ApiError(status, 'invalid_request_error', 'invalid_request', 'The request is not valid.');
  }
}

export function errorBody(error: ApiError): ErrorBody {
  return { error: { type: error.type, code: error.code, message: error.message } };
}

export function sendApiError(reply: FastifyReply, error: ApiError): FastifyReply {
  if (error.statusCode === 401) reply.header('www-authenticate', 'Bearer');
  return reply.code(error.statusCode).send(errorBody(error));
}

export function registerErrorHandlers(app: FastifyInstance, logger: Logger): void {
  app.setErrorHandler((error: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const apiError = toApiError(error);
    if (apiError) {
      if (apiError.statusCode >= 500) logger.warn({ err: error, reqId: request.id }, apiError.message);
      return sendApiError(reply, apiError);
    }
    // The detail goes to the log only; the caller learns nothing about the internals.
    logger.error({ err: error, reqId: request.id, method: request.method, url: request.url }, 'request failed');
    return sendApiError(reply, new ApiError(500, 'api_error', 'internal_error', 'internal error'));
  });

  app.setNotFoundHandler((request, reply) =>
    sendApiError(
      reply,
      new ApiError(
        404,
        'invalid_request_error',
        'route_not_found',
        `No route for ${request.method} ${request.url.split('?')[0]}.`,
      ),
    ),
  );
}
