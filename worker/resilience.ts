/**
 * The worker's resilience wiring from config, for each gateway: its own circuit breaker, put in front of every gateway
 * method (`withBreaker`), and its system-wide retry budget (PostgreSQL when DATABASE_URL is set, else in this
 * process). Metrics go to the Temporal runtime's meter when one is given (worker.ts), so to the worker's endpoint.
 */
import type { MetricMeter } from '@temporalio/common';
import type { ChargeResilience } from '../activities';
import { isGatewayOutage, type Gateway } from '../gateways/port';
import type { Config } from '../config';
import type { Logger } from '../logging/logger';
import { CircuitBreaker, withBreaker, type BreakerSettings } from '../resilience/circuit-breaker';
import { breakerMetrics, retryBudgetMetrics } from '../resilience/metrics';
import { openRetryBudget } from '../resilience/open-retry-budget';

type ResilienceConfig = Pick<
  Config,
  | 'DATABASE_URL'
  | 'CIRCUIT_BREAKER_FAILURE_THRESHOLD'
  | 'CIRCUIT_BREAKER_HALF_OPEN_AFTER_MS'
  | 'CIRCUIT_BREAKER_HALF_OPEN_MAX_CALLS'
  | 'RETRY_BUDGET_PER_SECOND'
  | 'RETRY_BUDGET_BURST'
  | 'CHARGE_MAX_DEFERRAL_MS'
>;

export function breakerSettingsFromConfig(config: ResilienceConfig): BreakerSettings {
  return {
    failureThreshold: config.CIRCUIT_BREAKER_FAILURE_THRESHOLD,
    halfOpenAfterMs: config.CIRCUIT_BREAKER_HALF_OPEN_AFTER_MS,
    halfOpenMaxCalls: config.CIRCUIT_BREAKER_HALF_OPEN_MAX_CALLS,
  };
}

/** The gateway's breaker, with its state logged and, given a meter, exported. */
export function gatewayBreaker(
  gatewayName: string,
  settings: BreakerSettings,
  logger: Logger,
  meter?: MetricMeter,
): CircuitBreaker {
  return new CircuitBreaker({
    gateway: gatewayName,
    settings,
    counts: isGatewayOutage,
    logger,
    observer: meter ? breakerMetrics(meter) : undefined,
  });
}

export async function createResilience(
  config: ResilienceConfig,
  gatewayName: string,
  adapter: Gateway,
  logger: Logger,
  meter?: MetricMeter,
): Promise<{ name: string; gateway: Gateway; resilience: ChargeResilience }> {
  const breaker = gatewayBreaker(gatewayName, breakerSettingsFromConfig(config), logger, meter);
  const retryBudget = await openRetryBudget({
    databaseUrl: config.DATABASE_URL,
    bucket: `charge-retries:${gatewayName}`,
    settings: { ratePerSecond: config.RETRY_BUDGET_PER_SECOND, burst: config.RETRY_BUDGET_BURST },
    logger,
  });
  const budgetMetrics = meter ? retryBudgetMetrics(meter) : undefined;
  budgetMetrics?.started(gatewayName);
  logger.info(
    { gateway: gatewayName, backend: retryBudget.backend, breaker: breakerSettingsFromConfig(config) },
    'resilience: ready',
  );
  return {
    name: gatewayName,
    gateway: withBreaker(adapter, breaker),
    resilience: { retryBudget, breaker, maxDeferralMs: config.CHARGE_MAX_DEFERRAL_MS, budgetMetrics },
  };
}
