/**
 * The breaker's and the retry budget's metrics, on the worker's one Prometheus endpoint: they are made with the
 * Temporal runtime's metric meter (worker.ts passes `Runtime.instance().metricMeter`), so they share the SDK
 * exporter's port and conventions (counters end in `_total`) with the workflow metrics, with no second endpoint
 * or registry to scrape. Activity-side and process-wide: they carry `gateway`, not the workflow labels.
 */
import type { MetricMeter } from '@temporalio/common';
import type { BreakerObserver, BreakerState } from './circuit-breaker';

/** The state gauge's values: alert on `== 2` (open). */
export const BREAKER_STATE_VALUES: Record<BreakerState, number> = { closed: 0, half_open: 1, open: 2 };

export function breakerMetrics(meter: MetricMeter): BreakerObserver {
  const state = meter.createGauge(
    'gateway_circuit_breaker_state',
    'int',
    'state',
    "The gateway's circuit breaker in this worker: 0 closed, 1 half-open, 2 open",
  );
  const transitions = meter.createCounter(
    'gateway_circuit_breaker_transitions',
    'transitions',
    'Circuit breaker state changes, by the state entered',
  );
  const refused = meter.createCounter(
    'gateway_circuit_breaker_refused_calls',
    'calls',
    'Gateway calls refused by an open breaker (nothing was sent)',
  );
  return {
    stateChanged(gateway, to, transition) {
      state.set(BREAKER_STATE_VALUES[to], { gateway });
      // At start-up every series is created at 0, so dashboards and alerts see the metric before any change.
      if (!transition)
        (['open', 'half_open', 'closed'] as const).forEach((s) => transitions.add(0, { gateway, to: s }));
      else transitions.add(1, { gateway, to });
      if (!transition) refused.add(0, { gateway });
    },
    refused(gateway) {
      refused.add(1, { gateway });
    },
  };
}

/** What the charge activity reports of each retry's ask for a token. */
export interface RetryBudgetObserver {
  /** Creates the series at 0 at start-up. */
  started(gateway: string): void;
  decided(gateway: string, granted: boolean): void;
}

export function retryBudgetMetrics(meter: MetricMeter): RetryBudgetObserver {
  const decisions = meter.createCounter(
    'payment_retry_budget_decisions',
    'retries',
    'Charge retries that asked the system-wide retry budget, by result (granted, denied)',
  );
  return {
    started(gateway) {
      decisions.add(0, { gateway, result: 'granted' });
      decisions.add(0, { gateway, result: 'denied' });
    },
    decided(gateway, granted) {
      decisions.add(1, { gateway, result: granted ? 'granted' : 'denied' });
    },
  };
}
