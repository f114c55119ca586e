/**
 * Keeps every error Stripe-shaped JSON, including the ones fastify raises itself (malformed JSON, body too large,
 * unsupported content type, unknown route), so clients never have to parse an HTML or plain-text error.
 */
import type { FastifyError, FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { GatewayErrorBody } from './types';

export function registerErrorHandlers(app: FastifyInstance, logger: Logger): void {
  app.setErrorHandler<FastifyError>((error, request, reply) => {
    const status = error.statusCode ?? 500;
    if (status >= 500) {
      // Handlers never throw for expected cases: an abort is an injected latency cut short by close, else a bug.
      const level = error.name === 'AbortError' ? 'debug' : 'error';
      logger[level]({ err: error, method: request.method, url: request.url }, 'sandbox request failed');
      const body: GatewayErrorBody = { error: { type: 'api_error', message: 'Internal sandbox error.' } };
      return reply.code(500).send(body);
    }
    const body: GatewayErrorBody = {
      error: { type: 'invalid_request_error', code: clientErrorCode(error, status), message: error.message },
    };
    return reply.code(status).send(body);
  });

  app.setNotFoundHandler((request, reply) => {
    const message = `Unrecognized request URL (${request.method}: ${request.url}).`;
    const body: GatewayErrorBody = { error: { type: 'invalid_request_error', code: 'resource_missing', message } };
    return reply.code(404).send(body);
  });
}

function clientErrorCode(error: FastifyError, status: number): string {
  if (status === 413) return 'request_too_large';
  if (status === 415) return 'unsupported_media_type';
  return error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || status === 400 ? 'parameter_invalid' : 'invalid_request';
}
