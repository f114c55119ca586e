/**
 * The HTTP API as a fastify instance, not yet listening: api/main.ts listens on the configured port, tests on
 * port 0 in process. Nothing here reads the environment; everything arrives in the options.
 *
 *   /health, /docs (OpenAPI UI, JSON at /docs/json)  public
 *   /webhooks/gateway                                 authenticated by the gateway's signature
 *   /webhooks/stripe                                  Stripe's events, by their Stripe-Signature (when configured)
 *   /codec/encode, /codec/decode                      only with `codec`; browsers only from its origins
 *   /payments…, /disputes…                            Bearer API key
 */
import { setMaxListeners } from 'node:events';
import { randomUUID } from 'node:crypto';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { PayloadCodec } from '@temporalio/common';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import {
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
} from 'fastify-type-provider-zod';
import type { DisputesClient } from '../client/disputes-client';
import type { PaymentsClient } from '../client/payments-client';
import type { Logger } from '../logging/logger';
import { registerBearerAuth } from './auth';
import { registerErrorHandlers } from './errors';
import { registerApiMetrics } from './metrics';
import { codecRoutes } from './routes-codec';
import { registerDisputeRoutes } from './routes-disputes';
import { registerPaymentRoutes } from './routes-payments';
import { registerRefundRoutes } from './routes-refunds';
import { stripeWebhookRoutes } from './routes-stripe-webhooks';
import { webhookRoutes } from './routes-webhooks';
import type { AbortScope } from './wait';
import type { WebhookHandler } from './webhook-handlers';

export const BODY_LIMIT_BYTES = 1024 * 1024;
/** PAYMENT_MAX_AMOUNT's default (config/index.ts), for a server built without maxAmount; the client checks its own. */
const DEFAULT_MAX_AMOUNT = 100_000_000;
const DEFAULT_READ_TIMEOUT_MS = 5_000;

export interface ApiServerOptions {
  payments: PaymentsClient;
  disputes: DisputesClient;
  logger: Logger;
  /** Accepted Bearer keys; more than one lets a key be rotated without downtime. */
  apiKeys: readonly string[];
  /** The secret the gateway signs its webhooks with. */
  webhookSecret: string;
  webhookToleranceSeconds: number;
  /** Upper bound for `?wait=`. */
  maxWaitMs: number;
  /**
   * The Temporal Client (or Connection) behind `payments`: lets an expired `?wait=` cancel its long poll.
   * Without it the poll runs on until the payment finishes (harmless, but it holds a stream on the connection).
   */
  temporal?: AbortScope;
  /**
   * Deadline for reading a payment's state (default 5 s): a query needs a live worker and would otherwise hang
   * while none polls; past it the answer is 503 `service_unavailable`.
   */
  readTimeoutMs?: number;
  /** The largest amount POST /payments accepts (its schema, so also OpenAPI's); the client enforces its own too. */
  maxAmount?: number;
  /**
   * Serve Temporal's remote codec protocol with this codec, so the Temporal UI shows our encrypted payloads
   * (card numbers masked). `origins`: the browser origins allowed to call it (the UI's). Omitted: no /codec.
   */
  codec?: { codec: PayloadCodec; origins: readonly string[] };
  /**
   * Serve Stripe's own events at /webhooks/stripe: the endpoint's signing secret and how to read a PaymentIntent's
   * payment id (for disputes). Omitted (no STRIPE_WEBHOOK_SECRET): no such route.
   */
  stripeWebhooks?: { secret: string; paymentIdOfIntent(intentId: string): Promise<string | undefined> };
  /** Replaces the webhook handler map (tests). */
  webhookHandlers?: Readonly<Record<string, WebhookHandler>>;
}

export function createApiServer(options: ApiServerOptions): FastifyInstance {
  const { logger } = options;
  const app = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    // One line per answered request (below) instead of fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    genReqId: () => randomUUID(),
    bodyLimit: BODY_LIMIT_BYTES,
    // Only our own JSON routes exist: a stray `//payments` or trailing slash should still route.
    routerOptions: { ignoreTrailingSlash: true, ignoreDuplicateSlashes: true },
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  registerErrorHandlers(app, logger);
  installJsonParser(app);

  app.addHook('onRequest', async (request, reply) => {
    reply.header('request-id', request.id);
  });
  app.addHook('onResponse', async (request, reply) => {
    logger.info(
      { reqId: request.id, method: request.method, route: request.routeOptions.url, status: reply.statusCode },
      `${request.method} ${request.url.split('?')[0]} ${reply.statusCode} ${Math.round(reply.elapsedTime)}ms`,
    );
  });

  // On close, pending `?wait=` requests answer at once, and every answer from then on closes its connection
  // (a kept-alive socket would otherwise hold the server open until its keep-alive timeout).
  const closing = new AbortController();
  // Each request in flight listens for the close (and removes its listener when done): no limit is a leak here.
  setMaxListeners(0, closing.signal);
  app.addHook('preClose', async () => closing.abort());
  app.addHook('onSend', async (_request, reply) => {
    if (closing.signal.aborted) reply.header('connection', 'close');
  });

  void app.register(fastifySwagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'durable-payments',
        description:
          'Every payment is a Temporal workflow. Errors are `{ error: { type, code, message } }`. ' +
          'Authenticate with `Authorization: Bearer <API key>`.',
        version: '1.0.0',
      },
      components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer' } } },
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
  void app.register(fastifySwaggerUi, { routePrefix: '/docs' });

  app.get('/health', { schema: { hide: true } }, async () => ({ ok: true }));
  registerApiMetrics(app, { attention: () => options.payments.countNeedingAttention(), logger });

  void app.register(webhookRoutes, {
    payments: options.payments,
    disputes: options.disputes,
    logger,
    secret: options.webhookSecret,
    toleranceSeconds: options.webhookToleranceSeconds,
    handlers: options.webhookHandlers,
  });

  if (options.stripeWebhooks) {
    void app.register(stripeWebhookRoutes, {
      payments: options.payments,
      disputes: options.disputes,
      logger,
      secret: options.stripeWebhooks.secret,
      toleranceSeconds: options.webhookToleranceSeconds,
      paymentIdOfIntent: options.stripeWebhooks.paymentIdOfIntent,
    });
  }

  if (options.codec) {
    void app.register(codecRoutes, { codec: options.codec.codec, allowedOrigins: options.codec.origins });
  }

  void app.register(async (authed) => {
    registerBearerAuth(authed, options.apiKeys);
    registerPaymentRoutes(authed, {
      payments: options.payments,
      maxAmount: options.maxAmount ?? DEFAULT_MAX_AMOUNT,
      wait: {
        payments: options.payments,
        temporal: options.temporal,
        maxWaitMs: options.maxWaitMs,
        readTimeoutMs: options.readTimeoutMs ?? DEFAULT_READ_TIMEOUT_MS,
        closing: closing.signal,
      },
    });
    registerRefundRoutes(authed, { payments: options.payments });
    registerDisputeRoutes(authed, { disputes: options.disputes });
  });
  return app;
}

/**
 * fastify's JSON parser (which refuses `__proto__` poisoning), except that an empty body means "no parameters",
 * so `POST /payments/:id/cancel` with a JSON content type and nothing else works.
 */
function installJsonParser(app: FastifyInstance): void {
  const jsonParser = app.getDefaultJsonParser('error', 'error');
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = body.toString();
    if (text === '') done(null, undefined);
    else void jsonParser(request, text, done);
  });
}
