/**
 * Applies injected faults to `/v1/*` requests. Faults that do nothing (5xx, 429, reset) answer from a hook before
 * any handler runs, like a load balancer or rate limiter in front of the processor. Latency and commit_then_drop
 * need the handler: every `/v1/*` answer goes out through `deliver`, which applies them.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { headerValue, isApiPath, pathOf, type SandboxContext } from './context';
import type { ErrorReply } from './errors';
import type { Fault, GatewayErrorBody } from './types';

/** Faults picked for a request and still to be applied; a WeakMap keeps fastify's request type untouched. */
const pendingFaults = new WeakMap<FastifyRequest, Fault>();

export function registerFaultInjection(app: FastifyInstance, ctx: SandboxContext): void {
  // preHandler runs after auth (a 401 consumes no fault) and after the body was read, as a real upstream would.
  app.addHook('preHandler', async (request, reply) => {
    if (!isApiPath(request.url)) return;
    // A lookup names its key in the query (`GET /v1/charges?idempotency_key=`): faults scoped to a payment's keys
    // apply to its status checks too.
    const idempotencyKey = headerValue(request, 'idempotency-key') ?? queryKey(request.query);
    const path = pathOf(request.url);
    ctx.requests.record({ at: Date.now(), method: request.method, path, idempotencyKey });
    const fault = ctx.faults.take({ method: request.method, path, idempotencyKey });
    if (!fault) return;
    ctx.logger.debug(
      { faultId: fault.id, kind: fault.kind, method: request.method, url: request.url },
      'fault injected',
    );
    if (fault.kind === 'status') {
      const status = fault.status ?? 500;
      const body: GatewayErrorBody = { error: { type: 'api_error', message: `Injected fault: HTTP ${status}` } };
      return reply.code(status).send(body);
    }
    if (fault.kind === 'rate_limit') {
      const message = 'Too many requests (injected).';
      const body: GatewayErrorBody = { error: { type: 'rate_limit_error', code: 'rate_limit', message } };
      return reply
        .code(429)
        .header('Retry-After', String(fault.retryAfterSeconds ?? 1))
        .send(body);
    }
    if (fault.kind === 'reset') return dropConnection(request, reply);
    pendingFaults.set(request, fault);
  });
}

/**
 * Sleeps for an injected latency, once per request. The idempotent path calls it while holding the key in flight;
 * `deliver` calls it for every other answer, so each `/v1/*` response is delayed exactly once.
 */
export async function applyInjectedLatency(request: FastifyRequest, signal: AbortSignal): Promise<void> {
  const fault = pendingFaults.get(request);
  if (fault?.kind !== 'latency') return;
  pendingFaults.delete(request);
  await sleep(fault.latencyMs ?? 0, undefined, { signal });
}

/** A serialized answer; stored idempotent responses are replayed byte for byte. */
export interface Answer {
  status: number;
  bodyJson: string;
  headers?: Record<string, string>;
}

/**
 * Answers a `/v1/*` request: waits out an injected latency, then runs `produce` (so the work sees the state after
 * the wait), then sends, unless commit_then_drop says the client must never see the answer.
 */
export async function deliver(
  request: FastifyRequest,
  reply: FastifyReply,
  ctx: SandboxContext,
  produce: () => Answer,
): Promise<FastifyReply> {
  await applyInjectedLatency(request, ctx.closing);
  const answer = produce();
  if (pendingFaults.get(request)?.kind === 'commit_then_drop') return dropConnection(request, reply);
  return reply
    .code(answer.status)
    .headers(answer.headers ?? {})
    .type('application/json; charset=utf-8')
    .send(answer.bodyJson);
}

export function deliverError(
  request: FastifyRequest,
  reply: FastifyReply,
  ctx: SandboxContext,
  error: ErrorReply,
): Promise<FastifyReply> {
  return deliver(request, reply, ctx, () => ({ status: error.status, bodyJson: JSON.stringify(error.body) }));
}

/** Destroys the socket without answering: the client sees a connection reset, as with a dying load balancer. */
function dropConnection(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  reply.hijack();
  request.raw.socket.destroy();
  return reply;
}

function queryKey(query: unknown): string | undefined {
  const value = (query as Record<string, unknown> | undefined)?.idempotency_key;
  return typeof value === 'string' ? value : undefined;
}
