/**
 * Unit tests of the breaker decorator with a scripted gateway object (no network): which failures count, that an
 * open breaker refuses without calling, the half-open trial limit, and that `withBreaker` wraps method by method.
 */
import { ApplicationFailure } from '@temporalio/common';
import { isGatewayOutage } from '../../gateways/port';
import { httpFailure, transportFailure } from '../../gateways/sandbox-errors';
import { createLogger } from '../../logging/logger';
import { CircuitBreaker, withBreaker, type BreakerState } from '../../resilience/circuit-breaker';
import { ErrorType } from '../../shared/errors';

const logger = createLogger({ level: 'silent' });

function breaker(halfOpenAfterMs = 60_000, halfOpenMaxCalls = 3) {
  const states: Array<[BreakerState, boolean]> = [];
  let refusals = 0;
  const b = new CircuitBreaker({
    gateway: 'unit',
    settings: { failureThreshold: 5, halfOpenAfterMs, halfOpenMaxCalls },
    counts: isGatewayOutage,
    logger,
    observer: { stateChanged: (_g, to, t) => states.push([to, t]), refused: () => void refusals++ },
  });
  return { b, states, refusals: () => refusals };
}

/** A gateway-shaped object whose next answers are scripted; `calls` counts what reached it. */
function scripted() {
  const answers: Array<() => Promise<string>> = [];
  const gateway = {
    calls: 0,
    async charge(key: string): Promise<string> {
      gateway.calls++;
      const next = answers.shift();
      return next ? next() : `ok:${key}`;
    },
    close: jest.fn(async () => undefined),
  };
  const fail = (err: Error, times: number) => {
    for (let i = 0; i < times; i++) answers.push(() => Promise.reject(err));
  };
  return { gateway, fail };
}

async function outcome(p: Promise<unknown>): Promise<string> {
  try {
    return String(await p);
  } catch (err) {
    return err instanceof ApplicationFailure ? (err.type ?? 'untyped') : String(err);
  }
}

describe('circuit breaker', () => {
  it('opens after 5 consecutive 503s and then refuses without calling, with a retry delay', async () => {
    const { b, states, refusals } = breaker();
    const { gateway, fail } = scripted();
    const wrapped = withBreaker(gateway, b);
    fail(httpFailure(503, {}), 5);
    for (let i = 0; i < 4; i++) expect(await outcome(wrapped.charge('k'))).toBe(ErrorType.GatewayServerError);
    expect(b.state()).toBe('closed');
    expect(await outcome(wrapped.charge('k'))).toBe(ErrorType.GatewayServerError);
    expect(b.state()).toBe('open');
    const refusal = await wrapped.charge('k').catch((e: unknown) => e as ApplicationFailure);
    expect(refusal).toBeInstanceOf(ApplicationFailure);
    expect((refusal as ApplicationFailure).type).toBe(ErrorType.GatewayCircuitOpen);
    expect((refusal as ApplicationFailure).nextRetryDelay).toBeGreaterThan(50_000);
    expect((refusal as ApplicationFailure).details?.[0]).toMatchObject({ requestSent: false });
    expect(gateway.calls).toBe(5);
    expect(refusals()).toBe(1);
    expect(() => b.admit()).toThrow(ApplicationFailure);
    expect(states).toEqual([
      ['closed', false],
      ['open', true],
    ]);
  });

  it('counts transport failures and timeouts, never declines, 4xx or 429; an answer resets the count', async () => {
    const { b } = breaker();
    const { gateway, fail } = scripted();
    const wrapped = withBreaker(gateway, b);
    fail(httpFailure(402, { error: { decline_code: 'insufficient_funds' } }), 10);
    fail(httpFailure(400, { error: { type: 'invalid_request_error' } }), 3);
    fail(httpFailure(429, {}), 3);
    for (let i = 0; i < 16; i++) await outcome(wrapped.charge('k'));
    expect(b.state()).toBe('closed');
    fail(transportFailure(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' })), 2);
    fail(transportFailure(Object.assign(new Error('slow'), { code: 'UND_ERR_HEADERS_TIMEOUT' })), 2);
    fail(httpFailure(402, { error: { decline_code: 'expired_card' } }), 1); // the gateway answered: count starts over
    fail(httpFailure(500, {}), 4);
    for (let i = 0; i < 9; i++) await outcome(wrapped.charge('k'));
    expect(b.state()).toBe('closed');
    fail(httpFailure(502, {}), 1);
    await outcome(wrapped.charge('k'));
    expect(b.state()).toBe('open');
  });

  it('half-open: lets at most 3 calls through, the first as the trial; a success closes it', async () => {
    const { b, states } = breaker(50, 3);
    const { gateway, fail } = scripted();
    const wrapped = withBreaker(gateway, b);
    fail(httpFailure(503, {}), 5);
    for (let i = 0; i < 5; i++) await outcome(wrapped.charge('k'));
    await new Promise((r) => setTimeout(r, 80));
    let release!: () => void;
    const slow = new Promise<string>((resolve) => (release = () => resolve('trial ok')));
    gateway.calls = 0;
    const script = [() => slow];
    const original = gateway.charge.bind(gateway);
    gateway.charge = async (key: string) => (script.length ? (gateway.calls++, script.shift()!()) : original(key));
    const calls = [1, 2, 3, 4, 5].map(() => outcome(wrapped.charge('k')));
    expect(b.state()).toBe('half_open');
    release();
    const results = await Promise.all(calls);
    expect(results.filter((r) => r === ErrorType.GatewayCircuitOpen)).toHaveLength(2);
    expect(results.filter((r) => r !== ErrorType.GatewayCircuitOpen)).toHaveLength(3);
    expect(gateway.calls).toBe(3); // the trial, then the two that waited for it
    expect(b.state()).toBe('closed');
    expect(states.map(([s]) => s)).toEqual(['closed', 'open', 'half_open', 'closed']);
  });

  it('half-open: a failed trial opens it again, and the calls that waited are refused unsent', async () => {
    const { b, states } = breaker(50, 3);
    const { gateway, fail } = scripted();
    const wrapped = withBreaker(gateway, b);
    fail(httpFailure(503, {}), 6);
    for (let i = 0; i < 5; i++) await outcome(wrapped.charge('k'));
    await new Promise((r) => setTimeout(r, 80));
    gateway.calls = 0;
    const results = await Promise.all([1, 2, 3].map(() => outcome(wrapped.charge('k'))));
    expect(results).toEqual([ErrorType.GatewayServerError, ErrorType.GatewayCircuitOpen, ErrorType.GatewayCircuitOpen]);
    expect(gateway.calls).toBe(1);
    expect(b.state()).toBe('open');
    expect(states.map(([s]) => s)).toEqual(['closed', 'open', 'half_open', 'open']);
  });

  it('wraps every method but close, and keeps `this` for the wrapped object', async () => {
    const { b } = breaker();
    const { gateway } = scripted();
    const wrapped = withBreaker(gateway, b);
    expect(await wrapped.charge('abc')).toBe('ok:abc');
    await wrapped.close();
    expect(gateway.close).toHaveBeenCalledTimes(1);
    expect(wrapped.calls).toBe(1);
  });
});
