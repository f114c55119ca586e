/** State shared by the sandbox's routes and hooks: one instance per running sandbox, never module-global. */
import type { FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { DisputeStore } from './dispute-store';
import type { EventLog } from './events';
import type { FaultQueue } from './fault-queue';
import type { IdempotencyStore } from './idempotency-key-store';
import type { Ledger } from './ledger';
import type { RefundStore } from './refund-store';
import type { RequestLog } from './request-log';
import type { WebhookSender } from './webhooks';

export interface SandboxContext {
  readonly ledger: Ledger;
  readonly refunds: RefundStore;
  readonly disputes: DisputeStore;
  readonly keys: IdempotencyStore;
  readonly faults: FaultQueue;
  /** Every `/v1/*` request received, faulted ones included. */
  readonly requests: RequestLog;
  readonly webhooks: WebhookSender | undefined;
  /** Every webhook event created; send events through it, not through `webhooks`, so they can be listed. */
  readonly events: EventLog;
  /** How long after a dispute test card's charge its dispute opens. */
  readonly disputeDelayMs: number;
  readonly logger: Logger;
  /** Aborted on close, so injected latencies do not hold the server open. */
  readonly closing: AbortSignal;
}

/** The card-processor API, which needs auth and is subject to faults; `/_sandbox/*` and `/health` are not. */
export function isApiPath(url: string): boolean {
  return url.startsWith('/v1/') || url === '/v1' || url.startsWith('/v1?');
}

/** The URL without its query string. */
export function pathOf(url: string): string {
  const queryStart = url.indexOf('?');
  return queryStart === -1 ? url : url.slice(0, queryStart);
}

/** Node joins repeated headers into an array or a comma list; an array here means the client sent several keys. */
export function headerValue(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return typeof value === 'string' ? value : undefined;
}
