/**
 * Fault queue: tests script the gateway's failures (latency, 5xx, 429, resets, lost responses) so the payment
 * workflows can be proven to survive them. Faults are tried in creation order; the first that matches and whose
 * probability draw hits is applied and consumes one of its count. Exhausted faults are dropped from the queue.
 */
import { z } from 'zod';
import type { Fault, FaultMatch, FaultSpec } from './types';

const MAX_LATENCY_MS = 600_000;

const baseShape = {
  count: z.number().int().positive().optional(),
  probability: z.number().min(0).max(1).optional(),
  match: z
    .strictObject({
      method: z.string().min(1).optional(),
      path: z.string().startsWith('/').optional(),
      idempotencyKeyPrefix: z.string().min(1).optional(),
    })
    .optional(),
};

export const faultSpecSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('latency'), latencyMs: z.number().int().min(0).max(MAX_LATENCY_MS), ...baseShape }),
  z.strictObject({
    kind: z.literal('status'),
    status: z.union([z.literal(500), z.literal(502), z.literal(503), z.literal(504)]),
    ...baseShape,
  }),
  z.strictObject({
    kind: z.literal('rate_limit'),
    retryAfterSeconds: z.number().int().min(0).optional(),
    ...baseShape,
  }),
  z.strictObject({ kind: z.literal('reset'), ...baseShape }),
  z.strictObject({ kind: z.literal('commit_then_drop'), ...baseShape }),
]);

/** What a fault can be matched against. `path` excludes the query string. */
export interface FaultTarget {
  method: string;
  path: string;
  idempotencyKey: string | undefined;
}

export class FaultQueue {
  private faults: Fault[] = [];
  // Ids never repeat, even after a clear, so a stale DELETE cannot remove a newer fault.
  private nextId = 1;

  constructor(private readonly random: () => number = Math.random) {}

  add(spec: FaultSpec): Fault {
    const fault: Fault = {
      id: `flt_${this.nextId++}`,
      kind: spec.kind,
      // Without a count, a probability alone means "until deleted"; with neither, the fault fires once.
      remaining: spec.count ?? (spec.probability === undefined ? 1 : null),
      probability: spec.probability ?? 1,
      hits: 0,
    };
    if (spec.latencyMs !== undefined) fault.latencyMs = spec.latencyMs;
    if (spec.status !== undefined) fault.status = spec.status;
    if (spec.kind === 'rate_limit') fault.retryAfterSeconds = spec.retryAfterSeconds ?? 1;
    if (spec.match) fault.match = { ...spec.match, method: spec.match.method?.toUpperCase() };
    this.faults.push(fault);
    return fault;
  }

  /** Copies, so callers cannot change the live counters. */
  list(): Fault[] {
    return this.faults.map((fault) => ({ ...fault, match: fault.match && { ...fault.match } }));
  }

  remove(id: string): boolean {
    const before = this.faults.length;
    this.faults = this.faults.filter((fault) => fault.id !== id);
    return this.faults.length < before;
  }

  clear(): number {
    const removed = this.faults.length;
    this.faults = [];
    return removed;
  }

  /** Picks the fault to apply to a request, if any, and consumes one of its count. */
  take(target: FaultTarget): Fault | undefined {
    for (let index = 0; index < this.faults.length; index++) {
      const fault = this.faults[index];
      if (!matches(fault.match, target)) continue;
      if (fault.probability < 1 && this.random() >= fault.probability) continue;
      fault.hits++;
      if (fault.remaining !== null && --fault.remaining === 0) this.faults.splice(index, 1);
      return fault;
    }
    return undefined;
  }
}

/**
 * The card-for-token exchange runs before a payment starts, in the client, not in a workflow: a fault meant for
 * the payment's gateway calls (a blanket 503, "the next POST times out") must not be spent on it. Only a fault
 * whose path names it applies to it.
 */
const EXCHANGE_PATH = '/v1/payment_methods';

function matches(match: FaultMatch | undefined, target: FaultTarget): boolean {
  if (target.path.startsWith(EXCHANGE_PATH) && !match?.path?.startsWith(EXCHANGE_PATH)) return false;
  if (!match) return true;
  if (match.method !== undefined && match.method !== target.method) return false;
  if (match.path !== undefined && !target.path.startsWith(match.path)) return false;
  const prefix = match.idempotencyKeyPrefix;
  return prefix === undefined || (target.idempotencyKey?.startsWith(prefix) ?? false);
}
