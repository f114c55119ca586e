/** What stands between a charge retry and the gateway: its own file, so the charges and the gateway directory share it. */
import type { RetryBudgetObserver } from '../resilience/metrics';
import type { RetryBudget } from '../resilience/retry-budget';

/** The retry budget, the breaker and how long they may defer a charge (resilience/). */
export interface ChargeResilience {
  /** System-wide: every retry of a charge takes a token; first attempts never ask. */
  retryBudget: RetryBudget;
  /** The gateway's breaker, asked before an attempt records that it sends (the calls go through it anyway). */
  breaker?: { admit(): void };
  /** How long refusals (breaker, budget) may defer a charge before the payment stops waiting. */
  maxDeferralMs: number;
  budgetMetrics?: RetryBudgetObserver;
}
