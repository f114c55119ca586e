/**
 * The contract between the gateway activities and the payment workflow, as a table: what the gateway answers,
 * the failure type the activity throws, whether Temporal retries it, and what the workflow reads it as.
 * The end-to-end suites prove the paths; this proves every row without a server.
 */
import { ActivityFailure, ApplicationFailure, RetryState, TimeoutFailure, TimeoutType } from '@temporalio/common';
import { httpFailure, transportFailure, type GatewayErrorBody } from '../../gateways/sandbox-errors';
import { readFailedCharge } from '../../workflows/charge-outcome';
import { ErrorType, NON_RETRYABLE_ERROR_TYPES } from '../../shared/errors';
import {
  afterSentFailure,
  neverReached,
  refusalDelayMs,
  refusedForGood,
  refusedRetry,
} from '../../activities/charge-attempts';

/** The failure as the workflow sees it once the activity's retries are over. */
function asActivityFailure(cause: Error): ActivityFailure {
  return new ActivityFailure('activity failed', 'createCharge', '1', RetryState.NON_RETRYABLE_FAILURE, 'w', cause);
}

function retried(failure: ApplicationFailure): boolean {
  return !failure.nonRetryable && !NON_RETRYABLE_ERROR_TYPES.includes(failure.type as ErrorType);
}

const decline = (code?: string): GatewayErrorBody => ({ error: { type: 'card_error', decline_code: code } });

describe('HTTP answers', () => {
  it.each<[string, number, GatewayErrorBody, ErrorType, boolean, string]>([
    ['soft decline', 402, decline('insufficient_funds'), ErrorType.CardDeclinedRetryable, false, 'declined'],
    ['processing decline', 402, decline('processing_error'), ErrorType.CardDeclinedRetryable, false, 'declined'],
    ['hard decline', 402, decline('expired_card'), ErrorType.CardDeclinedHard, false, 'declined'],
    ['fraud', 402, decline('stolen_card'), ErrorType.CardDeclinedFraud, false, 'declined'],
    ['3DS needed', 402, decline('authentication_required'), ErrorType.CardAuthenticationRequired, false, 'declined'],
    ['402 without a code', 402, { error: {} }, ErrorType.CardDeclinedRetryable, false, 'declined'],
    ['rate limited', 429, {}, ErrorType.GatewayRateLimited, true, 'unknown'],
    ['key in use', 409, {}, ErrorType.GatewayIdempotencyInUse, true, 'unknown'],
    ['500', 500, {}, ErrorType.GatewayServerError, true, 'unknown'],
    ['503', 503, {}, ErrorType.GatewayServerError, true, 'unknown'],
    ['bad API key', 401, {}, ErrorType.GatewayAuthentication, false, 'rejected'],
    ['forbidden', 403, {}, ErrorType.GatewayAuthentication, false, 'rejected'],
    [
      'same key, other body',
      400,
      { error: { type: 'idempotency_error' } },
      ErrorType.GatewayIdempotencyMismatch,
      false,
      'rejected',
    ],
    [
      'invalid request',
      400,
      { error: { type: 'invalid_request_error' } },
      ErrorType.GatewayInvalidRequest,
      false,
      'rejected',
    ],
  ])('%s (HTTP %i) is %s, retried: %s, read as %s', (_name, status, body, type, isRetried, kind) => {
    const failure = httpFailure(status, body);
    expect(failure.type).toBe(type);
    expect(retried(failure)).toBe(isRetried);
    expect(readFailedCharge(asActivityFailure(failure))?.kind).toBe(kind);
  });

  it('carries the classified decline and charge id through to the workflow', () => {
    const read = readFailedCharge(
      asActivityFailure(httpFailure(402, { error: { decline_code: 'expired_card', charge: 'ch_1' } })),
    );
    expect(read).toMatchObject({
      kind: 'declined',
      chargeId: 'ch_1',
      errorCode: 'expired_card',
      decline: { declineClass: 'hard', needsDifferentCard: true },
    });
  });

  it('waits as long as Retry-After asks; 0 means at once (1 ms, since an unset delay means the policy backoff)', () => {
    expect(httpFailure(429, {}, '3').nextRetryDelay).toBe(3000);
    expect(httpFailure(429, {}, '0').nextRetryDelay).toBe(1);
    expect(httpFailure(429, {}, 'soon').nextRetryDelay).toBeUndefined();
  });
});

describe('transport errors', () => {
  it.each<[string, ErrorType]>([
    ['ECONNREFUSED', ErrorType.GatewayNetwork],
    ['ENOTFOUND', ErrorType.GatewayNetwork],
    ['UND_ERR_CONNECT_TIMEOUT', ErrorType.GatewayNetwork],
    ['UND_ERR_HEADERS_TIMEOUT', ErrorType.GatewayTimeout],
    ['UND_ERR_BODY_TIMEOUT', ErrorType.GatewayTimeout],
    ['ECONNRESET', ErrorType.GatewayConnectionLost],
    ['UND_ERR_SOCKET', ErrorType.GatewayConnectionLost],
  ])('%s is %s, retried, and unknown once retries are spent', (code, type) => {
    const failure = transportFailure(Object.assign(new Error(code), { code }));
    expect(failure.type).toBe(type);
    expect(retried(failure)).toBe(true);
    expect(readFailedCharge(asActivityFailure(failure))).toEqual({ kind: 'unknown', errorCode: type });
  });

  it('reads an activity timeout as unknown, naming the timeout', () => {
    const timeout = new TimeoutFailure('timed out', undefined, TimeoutType.START_TO_CLOSE);
    expect(readFailedCharge(asActivityFailure(timeout))).toEqual({
      kind: 'unknown',
      errorCode: `timeout_${TimeoutType.START_TO_CLOSE}`,
    });
  });

  it('leaves anything that is not an activity failure to the caller', () => {
    expect(readFailedCharge(new Error('bug'))).toBeUndefined();
    expect(readFailedCharge(ApplicationFailure.create({ type: ErrorType.InvalidInput }))).toBeUndefined();
  });
});

describe('refusals in the worker (circuit breaker, retry budget): nothing was sent', () => {
  const progress = (chargeSent: boolean) => ({ sent: chargeSent ? 1 : 0, chargeSent });
  const policy = { initialIntervalMs: 100, maximumIntervalMs: 2_000, backoffCoefficient: 2, maximumAttempts: 3 };

  it.each([ErrorType.GatewayCircuitOpen, ErrorType.RetryBudgetExhausted])('%s is retried while it waits', (type) => {
    const refusal = ApplicationFailure.create({ type, nextRetryDelay: 30_000 });
    expect(retried(refusal)).toBe(true);
    expect(refusalDelayMs(refusal, policy, 60_000)).toBe(2_000); // never later than the payment's longest backoff
    expect(refusalDelayMs(refusal, policy, 500)).toBe(500); // nor after it would stop waiting
  });

  it('refused for good with no charge ever sent: read as not sent (not charged), not as unknown', () => {
    const refusal = refusedRetry(1_000);
    const final = refusedForGood(refusal, progress(false), Date.now() - 5_000);
    expect(retried(final)).toBe(false);
    expect(readFailedCharge(asActivityFailure(final))).toEqual({
      kind: 'not_sent',
      errorCode: ErrorType.RetryBudgetExhausted,
    });
  });

  it('refused for good after a charge had gone out, or a refusal without that record: unknown', () => {
    const final = refusedForGood(refusedRetry(1_000), progress(true), Date.now());
    expect(readFailedCharge(asActivityFailure(final))?.kind).toBe('unknown');
    const bare = ApplicationFailure.create({ type: ErrorType.GatewayCircuitOpen }); // a run counted by Temporal
    expect(readFailedCharge(asActivityFailure(bare))?.kind).toBe('unknown');
  });

  it("an attempt that sent: the policy's backoff by attempts that counted, and the last one gives up with its type", () => {
    const failure = httpFailure(503, {});
    expect((afterSentFailure(failure, 1, policy) as ApplicationFailure).nextRetryDelay).toBe(100);
    expect((afterSentFailure(failure, 2, policy) as ApplicationFailure).nextRetryDelay).toBe(200);
    const last = afterSentFailure(failure, 3, policy) as ApplicationFailure;
    expect(last).toMatchObject({ type: ErrorType.GatewayServerError, nonRetryable: true });
    expect(readFailedCharge(asActivityFailure(last))).toEqual({ kind: 'unknown', errorCode: 'GatewayServerError' });
    const declined = httpFailure(402, decline('expired_card'));
    expect(afterSentFailure(declined, 1, policy)).toBe(declined); // not retried anyway: left as it is
    const limited = httpFailure(429, {}, '7');
    expect((afterSentFailure(limited, 1, policy) as ApplicationFailure).nextRetryDelay).toBe(7_000);
  });
});

describe('a refused connection on a key nothing was sent under (runs that may fail over)', () => {
  it('is read as not sent only when the activity said so; a plain GatewayNetwork is still unknown', () => {
    const refused = transportFailure(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
    expect(refused.type).toBe(ErrorType.GatewayNetwork);
    const final = neverReached(refused);
    expect(final.nonRetryable).toBe(true);
    expect(readFailedCharge(asActivityFailure(final))).toEqual({
      kind: 'not_sent',
      errorCode: ErrorType.GatewayNetwork,
    });
    // Retries over, but without the activity's word that nothing ever went out: the charge may exist.
    expect(readFailedCharge(asActivityFailure(refused))).toEqual({
      kind: 'unknown',
      errorCode: ErrorType.GatewayNetwork,
    });
    const lost = transportFailure(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
    expect(readFailedCharge(asActivityFailure(lost))).toMatchObject({ kind: 'unknown' });
  });
});
