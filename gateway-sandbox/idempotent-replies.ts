/**
 * The idempotency layer in front of mutating `/v1/*` endpoints, with Stripe's semantics (payments.md §1.1):
 * first request for a key runs and its answer is saved; a matching retry replays it with `Idempotent-Replayed`;
 * different parameters get `idempotency_error`; a retry while the first is still running gets 409.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { headerValue, pathOf, type SandboxContext } from './context';
import { errorReply, invalidRequest } from './errors';
import { applyInjectedLatency, deliver, type Answer } from './fault-hooks';
import { requestFingerprint } from './fingerprint';
import type { IdempotencyEntry } from './idempotency-key-store';
import type { ParseResult } from './schemas';

const MAX_KEY_LENGTH = 255;

/** What an endpoint's work produced: an HTTP status and a body to serialize (and store under the key). */
export interface Outcome {
  status: number;
  body: unknown;
}

/** Reads an optional `Idempotency-Key`: `undefined` when absent, a 400 when too long. */
export function readIdempotencyKey(request: FastifyRequest): ParseResult<string | undefined> {
  const key = headerValue(request, 'idempotency-key');
  if (key === undefined || key === '') return { ok: true, value: undefined };
  if (key.length > MAX_KEY_LENGTH) {
    return { ok: false, reply: invalidRequest(`Idempotency-Key must be at most ${MAX_KEY_LENGTH} characters.`) };
  }
  return { ok: true, value: key };
}

/** Reads a mandatory `Idempotency-Key`; absent is a 400 `parameter_missing`. */
export function requireIdempotencyKey(request: FastifyRequest): ParseResult<string> {
  const key = readIdempotencyKey(request);
  if (!key.ok) return key;
  if (key.value !== undefined) return { ok: true, value: key.value };
  return { ok: false, reply: invalidRequest('This request requires an Idempotency-Key header.', 'parameter_missing') };
}

/**
 * Runs `work` at most once per (scope, key) until the key expires. `scope` names the endpoint, so keys of
 * different endpoints never collide. `work` is synchronous: nothing can interleave between running it and
 * saving its answer.
 */
export async function respondIdempotently(
  request: FastifyRequest,
  reply: FastifyReply,
  ctx: SandboxContext,
  options: { scope: string; key: string | undefined; work: () => Outcome },
): Promise<FastifyReply> {
  const { scope, key, work } = options;
  if (key === undefined) return deliver(request, reply, ctx, () => serialize(work()));
  const fingerprint = requestFingerprint(request.method, pathOf(request.url), request.body);
  const existing = ctx.keys.lookup(scope, key);
  if (existing) return deliver(request, reply, ctx, () => existingAnswer(existing, fingerprint));
  const entry = ctx.keys.claim(scope, key, fingerprint);
  let outcome: Outcome;
  try {
    // An injected latency happens here, so a concurrent retry with the same key sees it in flight.
    await applyInjectedLatency(request, ctx.closing);
    outcome = work();
  } catch (error) {
    ctx.keys.release(entry);
    throw error;
  }
  const answer = serialize(outcome);
  ctx.keys.complete(entry, answer.status, answer.bodyJson);
  return deliver(request, reply, ctx, () => answer);
}

/** The answer for a key seen before, decided after any injected latency so it reflects the current state. */
function existingAnswer(entry: IdempotencyEntry, fingerprint: string): Answer {
  // A mismatch is checked first: it is a client bug that retrying cannot fix, while 409 invites a retry.
  if (entry.fingerprint !== fingerprint) {
    const message =
      'Keys for idempotent requests can only be used with the same parameters they were first used with. ' +
      'Try using a key other than the one used by the original request.';
    return serialize(errorReply(400, { type: 'idempotency_error', message }));
  }
  if (entry.state === 'in_flight' || entry.status === undefined || entry.bodyJson === undefined) {
    const message = 'There is currently another in-progress request using this Idempotency-Key; retry later.';
    return serialize(errorReply(409, { type: 'invalid_request_error', code: 'idempotency_key_in_use', message }));
  }
  return { status: entry.status, bodyJson: entry.bodyJson, headers: { 'Idempotent-Replayed': 'true' } };
}

export function serialize(outcome: Outcome): Answer {
  return { status: outcome.status, bodyJson: JSON.stringify(outcome.body) };
}
