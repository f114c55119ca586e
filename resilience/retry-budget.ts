/**
 * Seed 003's retry budget: a token bucket (e.g. 10 retries/s, burst 50) that every retry of a charge must take a
 * token from, so an outage cannot turn into a retry storm; first attempts never ask. The bucket is system-wide:
 * in PostgreSQL when the system has one (resilience/pg-retry-budget.ts, shared by every worker), in this process
 * with embedded PGlite, where only one worker process can run anyway (config/database.ts, audit/open.ts).
 */

export interface RetryBudgetSettings {
  /** Tokens added per second: the sustained retry rate of the whole system. */
  ratePerSecond: number;
  /** Bucket size: how many retries may go at once after a quiet period. */
  burst: number;
}

export const SEED_RETRY_BUDGET: RetryBudgetSettings = { ratePerSecond: 10, burst: 50 };

/** `retryInMs`: when the caller should ask again (it is told to wait, durably, by Temporal). */
export type TokenAnswer = { granted: true } | { granted: false; retryInMs: number };

export interface RetryBudget {
  readonly backend: 'postgres' | 'in-process';
  take(): Promise<TokenAnswer>;
  close(): Promise<void>;
}

/** A bucket's level after `elapsedMs` of refill, capped at the burst. */
export function refilled(tokens: number, elapsedMs: number, s: RetryBudgetSettings): number {
  return Math.min(s.burst, tokens + (Math.max(0, elapsedMs) / 1000) * s.ratePerSecond);
}

/**
 * How long a refused retry waits: until a token is due, plus a random share of the time the bucket takes to fill,
 * so that refused retries do not all come back in the same instant and fight for the next token.
 */
export function denialDelayMs(available: number, s: RetryBudgetSettings, random: () => number = Math.random): number {
  const dueMs = (Math.max(0, 1 - available) / s.ratePerSecond) * 1000;
  const spreadMs = (s.burst / s.ratePerSecond) * 1000;
  return Math.max(1, Math.ceil(dueMs + random() * spreadMs));
}

/** The bucket in this process's memory: exact for one process, which is all embedded PGlite allows. */
export class InProcessRetryBudget implements RetryBudget {
  readonly backend = 'in-process' as const;
  private tokens: number;
  private at: number;

  constructor(
    private readonly settings: RetryBudgetSettings,
    private readonly now: () => number = Date.now,
    private readonly random: () => number = Math.random,
  ) {
    this.tokens = settings.burst;
    this.at = now();
  }

  async take(): Promise<TokenAnswer> {
    const now = this.now();
    this.tokens = refilled(this.tokens, now - this.at, this.settings);
    this.at = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return { granted: true };
    }
    return { granted: false, retryInMs: denialDelayMs(this.tokens, this.settings, this.random) };
  }

  async close(): Promise<void> {}
}
