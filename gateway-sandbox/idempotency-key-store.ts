/**
 * Idempotency key store with Stripe semantics (payments.md §1.1): the first request for a key is saved with its
 * status and body; later requests replay it. Keys are scoped per endpoint so a refund can reuse a charge's key.
 */
import { performance } from 'node:perf_hooks';

export type IdempotencyState = 'in_flight' | 'done';

export interface IdempotencyEntry {
  readonly storeKey: string;
  readonly fingerprint: string;
  /** Monotonic clock (performance.now), so a wall-clock jump cannot expire or resurrect keys. */
  readonly expiresAt: number;
  state: IdempotencyState;
  status?: number;
  /** Serialized once at completion: the replay must not change if the charge changes later (e.g. on confirm). */
  bodyJson?: string;
}

export class IdempotencyStore {
  // Map iteration follows insertion order and every entry gets the same TTL, so the oldest entries come first
  // and expiry can stop at the first live one: amortized O(1) per request, no timer needed.
  private readonly entries = new Map<string, IdempotencyEntry>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  lookup(scope: string, key: string): IdempotencyEntry | undefined {
    this.sweepExpired();
    return this.entries.get(storeKeyOf(scope, key));
  }

  /** Marks a key in flight. Call only after `lookup` returned undefined, so the key is new and goes to the end. */
  claim(scope: string, key: string, fingerprint: string): IdempotencyEntry {
    const entry: IdempotencyEntry = {
      storeKey: storeKeyOf(scope, key),
      fingerprint,
      expiresAt: this.now() + this.ttlMs,
      state: 'in_flight',
    };
    this.entries.set(entry.storeKey, entry);
    return entry;
  }

  complete(entry: IdempotencyEntry, status: number, bodyJson: string): void {
    entry.state = 'done';
    entry.status = status;
    entry.bodyJson = bodyJson;
  }

  /** Forgets a claim whose work crashed, so a retry is not stuck behind `idempotency_key_in_use` forever. */
  release(entry: IdempotencyEntry): void {
    // The entry may already be gone (expired or reset) and the key claimed again by a newer request.
    if (this.entries.get(entry.storeKey) === entry) this.entries.delete(entry.storeKey);
  }

  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }

  private sweepExpired(): void {
    const now = this.now();
    for (const [storeKey, entry] of this.entries) {
      if (entry.expiresAt > now) return;
      this.entries.delete(storeKey);
    }
  }
}

function storeKeyOf(scope: string, key: string): string {
  // NUL cannot appear in an HTTP header value, so scope and key cannot run into each other.
  return `${scope}\u0000${key}`;
}
