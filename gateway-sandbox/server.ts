/**
 * The sandbox gateway: an in-memory HTTP server that behaves like Stripe in test mode (charges, refunds,
 * disputes, idempotency, 3DS, signed webhooks) plus fault injection, so payment workflows can be tested and
 * benchmarked for real.
 */
import type { AddressInfo } from 'node:net';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import pino, { type Logger } from 'pino';
import { registerAuth } from './auth';
import type { SandboxContext } from './context';
import { DisputeStore } from './dispute-store';
import { EventLog } from './events';
import { registerFaultInjection } from './fault-hooks';
import { FaultQueue } from './fault-queue';
import { IdempotencyStore } from './idempotency-key-store';
import { Ledger } from './ledger';
import { RefundStore } from './refund-store';
import { RequestLog } from './request-log';
import { registerChargeRoutes } from './routes-charges';
import { registerDisputeRoutes } from './routes-disputes';
import { registerRefundRoutes } from './routes-refunds';
import { registerSandboxRoutes } from './routes-sandbox';
import { registerSandboxDisputeRoutes } from './routes-sandbox-disputes';
import { registerErrorHandlers } from './server-errors';
import { WebhookSender, type WebhookConfig } from './webhooks';

export type * from './types';

export const DEFAULT_API_KEY = 'sk_test_sandbox';
export const DEFAULT_IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
const BODY_LIMIT_BYTES = 1024 * 1024;

export interface GatewaySandboxOptions {
  /** 0 picks a free port. */
  port?: number;
  host?: string;
  apiKeys?: string[];
  idempotencyTtlMs?: number;
  logger?: Logger;
  webhook?: WebhookConfig;
  /** How long after its charge succeeded a dispute test card (`4000000000000259`) gets its dispute; default 0. */
  disputeDelayMs?: number;
}

export interface GatewaySandbox {
  /** Base URL without a trailing slash, e.g. `http://127.0.0.1:4010`. */
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function createGatewaySandbox(options: GatewaySandboxOptions = {}): Promise<GatewaySandbox> {
  const apiKeys = options.apiKeys ?? [DEFAULT_API_KEY];
  if (apiKeys.length === 0) throw new Error('createGatewaySandbox: apiKeys must not be empty');
  const logger = options.logger ?? pino({ level: 'warn' });
  const disputeDelayMs = options.disputeDelayMs ?? 0;
  if (!Number.isInteger(disputeDelayMs) || disputeDelayMs < 0) {
    throw new Error('createGatewaySandbox: disputeDelayMs must be a non-negative integer');
  }
  const closing = new AbortController();
  const webhooks = options.webhook && new WebhookSender(options.webhook, logger);
  const ctx: SandboxContext = {
    ledger: new Ledger(),
    refunds: new RefundStore(),
    disputes: new DisputeStore(),
    keys: new IdempotencyStore(options.idempotencyTtlMs ?? DEFAULT_IDEMPOTENCY_TTL_MS),
    faults: new FaultQueue(),
    requests: new RequestLog(),
    webhooks,
    events: new EventLog(webhooks),
    disputeDelayMs,
    logger,
    closing: closing.signal,
  };
  const app = buildApp(logger, new Set(apiKeys), ctx);
  await app.listen({ port: options.port ?? 0, host: options.host ?? '127.0.0.1' });
  const address = app.server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  logger.info({ url, webhook: options.webhook?.url }, 'gateway sandbox listening');
  return {
    url,
    port: address.port,
    close: async () => {
      closing.abort();
      ctx.webhooks?.close();
      await app.close();
    },
  };
}

function buildApp(logger: Logger, apiKeys: ReadonlySet<string>, ctx: SandboxContext): FastifyInstance {
  const app = Fastify({
    // pino's Logger is a FastifyBaseLogger; the cast keeps fastify's default generics for the route modules.
    loggerInstance: logger as FastifyBaseLogger,
    // Per-request log lines would dominate CPU at benchmark rates; the routes log what matters at debug.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: BODY_LIMIT_BYTES,
    // Tests close the sandbox between suites; lingering keep-alive or delayed requests must not hold it open.
    forceCloseConnections: true,
  });
  installJsonParser(app);
  registerErrorHandlers(app, logger);
  registerAuth(app, apiKeys);
  registerFaultInjection(app, ctx);
  registerChargeRoutes(app, ctx);
  registerRefundRoutes(app, ctx);
  registerDisputeRoutes(app, ctx);
  registerSandboxRoutes(app, ctx);
  registerSandboxDisputeRoutes(app, ctx);
  return app;
}

/**
 * fastify's own JSON parser (which rejects `__proto__` poisoning), except that an empty body means "no
 * parameters": clients may POST confirm with a JSON content type and nothing else.
 */
function installJsonParser(app: FastifyInstance): void {
  const jsonParser = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = body.toString(); // parseAs 'string' already gives a string; this only satisfies the types
    if (text === '') done(null, undefined);
    // The default parser answers through `done`; it returns nothing to await.
    else void jsonParser(request, text, done);
  });
}
