/** The breaker's and the retry budget's settings: seed defaults when unset, and bad values stop the worker. */
import { parseConfig } from '../../config';
import { SEED_BREAKER_SETTINGS } from '../../resilience/circuit-breaker';
import { SEED_RETRY_BUDGET } from '../../resilience/retry-budget';
import { breakerSettingsFromConfig } from '../../worker/resilience';

it("defaults to the seeds' breaker (5 failures, 30 s, 3 trial calls) and budget (10/s, burst 50)", () => {
  const cfg = parseConfig({});
  expect(breakerSettingsFromConfig(cfg)).toEqual(SEED_BREAKER_SETTINGS);
  expect({ ratePerSecond: cfg.RETRY_BUDGET_PER_SECOND, burst: cfg.RETRY_BUDGET_BURST }).toEqual(SEED_RETRY_BUDGET);
  expect(SEED_BREAKER_SETTINGS).toEqual({ failureThreshold: 5, halfOpenAfterMs: 30_000, halfOpenMaxCalls: 3 });
  expect(SEED_RETRY_BUDGET).toEqual({ ratePerSecond: 10, burst: 50 });
  expect(cfg.CHARGE_MAX_DEFERRAL_MS).toBe(600_000);
});

it('takes other values', () => {
  const cfg = parseConfig({
    CIRCUIT_BREAKER_FAILURE_THRESHOLD: '3',
    CIRCUIT_BREAKER_HALF_OPEN_AFTER_MS: '10000',
    CIRCUIT_BREAKER_HALF_OPEN_MAX_CALLS: '1',
    RETRY_BUDGET_PER_SECOND: '2.5',
    RETRY_BUDGET_BURST: '20',
  });
  expect(breakerSettingsFromConfig(cfg)).toEqual({ failureThreshold: 3, halfOpenAfterMs: 10_000, halfOpenMaxCalls: 1 });
  expect(cfg.RETRY_BUDGET_PER_SECOND).toBe(2.5);
});

it('refuses values that would disable or break them, naming each variable', () => {
  const bad = {
    CIRCUIT_BREAKER_FAILURE_THRESHOLD: '0',
    CIRCUIT_BREAKER_HALF_OPEN_AFTER_MS: 'soon',
    CIRCUIT_BREAKER_HALF_OPEN_MAX_CALLS: '1.5',
    RETRY_BUDGET_PER_SECOND: '0',
    RETRY_BUDGET_BURST: '-1',
    CHARGE_MAX_DEFERRAL_MS: '0',
  };
  expect(() => parseConfig(bad)).toThrow(
    new RegExp(Object.keys(bad).join('[\\s\\S]*')), // every one listed, in schema order
  );
});
