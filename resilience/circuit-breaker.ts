/**
 * One circuit breaker per gateway per worker process (cockatiel), shared by every activity that calls it, and
 * `withBreaker`, which puts it in front of every async method of a gateway object. Seed 002's defaults: open
 * after 5 consecutive outage failures, half-open after 30 s, at most 3 calls let through while half-open. An open
 * breaker refuses at once with `GatewayCircuitOpen`: nothing is sent, so the refusal is never an unknown outcome.
 */
import { ApplicationFailure, ApplicationFailureCategory } from '@temporalio/common';
import { BrokenCircuitError, CircuitState, ConsecutiveBreaker, circuitBreaker, handleAll } from 'cockatiel';
import type { Logger } from '../logging/logger';
import { ErrorType } from '../shared/errors';

export interface BreakerSettings {
  /** Consecutive outage failures (transport, 5xx, timeout) that open the breaker. */
  failureThreshold: number;
  /** How long it stays open before letting trial calls through. */
  halfOpenAfterMs: number;
  /** Calls let through while half-open: the first is cockatiel's trial, the others wait for its verdict. */
  halfOpenMaxCalls: number;
}

export const SEED_BREAKER_SETTINGS: BreakerSettings = {
  failureThreshold: 5,
  halfOpenAfterMs: 30_000,
  halfOpenMaxCalls: 3,
};

export type BreakerState = 'closed' | 'open' | 'half_open';

/** Where state changes and refusals go: metrics (resilience/metrics.ts), and tests. */
export interface BreakerObserver {
  /** `transition` is false for the initial state, reported once when the breaker is made. */
  stateChanged(gateway: string, to: BreakerState, transition: boolean): void;
  refused(gateway: string): void;
}

export interface BreakerOptions {
  gateway: string;
  settings: BreakerSettings;
  /** True for failures that say the gateway is unwell; anything else (declines, 4xx) leaves the count alone. */
  counts: (error: unknown) => boolean;
  logger: Logger;
  observer?: BreakerObserver;
}

const STATES: Record<CircuitState, BreakerState> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half_open',
  [CircuitState.Isolated]: 'open',
};

/** A call's own failure that must not trip the breaker travels through cockatiel as a value, then is rethrown. */
type Outcome<T> = { value: T } | { error: unknown };

export class CircuitBreaker {
  readonly gateway: string;
  private readonly policy;
  private readonly settings: BreakerSettings;
  private readonly counts: (error: unknown) => boolean;
  private readonly observer?: BreakerObserver;
  private openedAt = 0;
  /** Calls let through since the breaker last became due for half-open; reset when it opens or closes. */
  private trialCalls = 0;

  constructor(options: BreakerOptions) {
    this.gateway = options.gateway;
    this.settings = options.settings;
    this.counts = options.counts;
    this.observer = options.observer;
    this.policy = circuitBreaker(handleAll, {
      halfOpenAfter: options.settings.halfOpenAfterMs,
      breaker: new ConsecutiveBreaker(options.settings.failureThreshold),
    });
    const log = options.logger.child({ gateway: this.gateway, component: 'circuit-breaker' });
    this.policy.onStateChange((state) => {
      const to = STATES[state];
      if (to === 'open') this.openedAt = Date.now();
      if (to !== 'half_open') this.trialCalls = 0; // each half-open period gets its own trial calls
      const meta = { gateway: this.gateway, state: to, lastFailure: failureText(this.policy.lastFailure) };
      if (to === 'closed') log.info(meta, 'gateway circuit breaker closed: calls go through again');
      else log.warn(meta, `gateway circuit breaker ${to === 'open' ? 'opened: calls are refused' : 'half-open'}`);
      this.observer?.stateChanged(this.gateway, to, true);
    });
    this.observer?.stateChanged(this.gateway, 'closed', false);
  }

  state(): BreakerState {
    return STATES[this.policy.state];
  }

  /**
   * Throws `GatewayCircuitOpen` when a call made now would be refused, without counting as a call. The charge
   * activity asks before it records that it is about to send (activities/charge-attempts.ts).
   */
  admit(): void {
    if (this.refuses(false)) throw this.refusal();
  }

  /** Runs `call` through the breaker; refused calls throw `GatewayCircuitOpen` and never start. */
  async run<T>(call: () => Promise<T>): Promise<T> {
    if (this.refuses(true)) throw this.refusal();
    let outcome: Outcome<T>;
    try {
      outcome = await this.policy.execute(async (): Promise<Outcome<T>> => {
        try {
          return { value: await call() };
        } catch (error) {
          if (this.counts(error)) throw error;
          return { error }; // the gateway answered: for the breaker that is a success
        }
      });
    } catch (error) {
      // Cockatiel's own refusal: the trial this call waited for failed and the breaker opened again.
      if (error instanceof BrokenCircuitError) throw this.refusal();
      throw error;
    }
    if ('error' in outcome) throw outcome.error;
    return outcome.value;
  }

  /** Open and not yet due, or due/half-open with its trial calls taken. `take` claims a trial slot. */
  private refuses(take: boolean): boolean {
    const state = this.policy.state;
    if (state === CircuitState.Closed) return false;
    if (state === CircuitState.Open && this.msUntilHalfOpen() > 0) return true;
    if (this.trialCalls >= this.settings.halfOpenMaxCalls) return true;
    if (take) this.trialCalls += 1;
    return false;
  }

  private msUntilHalfOpen(): number {
    return Math.max(0, this.openedAt + this.settings.halfOpenAfterMs - Date.now());
  }

  private refusal(): ApplicationFailure {
    this.observer?.refused(this.gateway);
    // Come back when trials may go; while half-open with its slots taken, shortly after (the trial answers soon).
    const waitMs = Math.max(1_000, this.msUntilHalfOpen());
    return ApplicationFailure.create({
      type: ErrorType.GatewayCircuitOpen,
      message: `gateway ${this.gateway}: circuit breaker ${this.state()}, request not sent`,
      nextRetryDelay: waitMs,
      details: [{ gateway: this.gateway, state: this.state(), requestSent: false }],
      category: ApplicationFailureCategory.BENIGN,
    });
  }
}

function failureText(failure: { error: Error } | { value: unknown } | undefined): string | undefined {
  if (!failure) return undefined;
  return 'error' in failure ? failure.error.message : 'result';
}

/** The methods of `target` that go through the breaker: every function except the ones named in `except`. */
export function withBreaker<G extends object>(target: G, breaker: CircuitBreaker, except: string[] = ['close']): G {
  return new Proxy(target, {
    get(obj, key, receiver) {
      const member = Reflect.get(obj, key, receiver) as unknown;
      if (typeof member !== 'function' || typeof key !== 'string' || except.includes(key)) return member;
      return (...args: unknown[]) => breaker.run(() => Promise.resolve(member.apply(obj, args)));
    },
  });
}
