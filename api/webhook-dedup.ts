/**
 * Which webhook events were already handled, so a redelivery is acknowledged without running its handler
 * again. In memory and bounded (least recently seen ids are forgotten first): this is an optimisation, not
 * the guarantee. Every handler is idempotent (see webhook-handlers.ts), so an id forgotten here, or lost with
 * a restart or held by another API instance, costs one harmless re-run. An id is remembered only after its
 * handler succeeded, so a failed attempt is retried by the gateway.
 */
export class SeenEvents {
  private readonly seen = new Map<string, true>();
  /** Deliveries of one event that arrive while it is being handled wait for that one run. */
  private readonly running = new Map<string, Promise<unknown>>();

  constructor(private readonly capacity = 10_000) {
    if (capacity < 1) throw new Error('SeenEvents: capacity must be at least 1');
  }

  has(id: string): boolean {
    if (!this.seen.has(id)) return false;
    // Refresh: a Map iterates in insertion order, so re-inserting makes this id the most recent.
    this.seen.delete(id);
    this.seen.set(id, true);
    return true;
  }

  /**
   * Runs `handle` for a new event id, or reports a duplicate. A concurrent delivery of an id still being handled
   * waits for that run and shares its outcome (a failure is thrown to both; neither is remembered).
   */
  async once<T>(id: string, handle: () => Promise<T>): Promise<{ duplicate: true } | { duplicate: false; value: T }> {
    if (this.has(id)) return { duplicate: true };
    const inFlight = this.running.get(id);
    if (inFlight) {
      await inFlight;
      return { duplicate: true };
    }
    const run = handle();
    this.running.set(id, run);
    try {
      const value = await run;
      this.remember(id);
      return { duplicate: false, value };
    } finally {
      this.running.delete(id);
    }
  }

  get size(): number {
    return this.seen.size;
  }

  private remember(id: string): void {
    this.seen.set(id, true);
    if (this.seen.size > this.capacity) {
      const oldest = this.seen.keys().next().value as string;
      this.seen.delete(oldest);
    }
  }
}
