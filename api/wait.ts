/**
 * `?wait=5s`: a request may wait for the payment's final answer, never longer than the configured maximum, and
 * never by holding anything but its own socket. The wait races the client's result() against a timer; when the
 * timer wins, the answer is the payment's current state (a 200, not an error) and the result's long poll is
 * cancelled, so an expired wait leaves no RPC behind on the Temporal connection.
 */
import type { PaymentsClient } from '../client/payments-client';
import type { PaymentState } from '../shared/payment-types';
import { apiError } from './errors';

/** Lets a wait cancel its Temporal RPCs: the Client or Connection behind the PaymentsClient has this method. */
export interface AbortScope {
  withAbortSignal<R>(signal: AbortSignal, fn: () => Promise<R>): Promise<R>;
}

const DURATION = /^(\d{1,9})(ms|s)$/;

/** `5s` → 5000, `500ms` → 500; undefined when the text is not such a duration. */
export function parseWait(text: string): number | undefined {
  const match = DURATION.exec(text.trim());
  if (!match) return undefined;
  return Number(match[1]) * (match[2] === 's' ? 1000 : 1);
}

export interface WaitDeps {
  payments: PaymentsClient;
  temporal?: AbortScope;
  maxWaitMs: number;
  /** Deadline for reading a payment's state (a workflow query needs a live worker). */
  readTimeoutMs: number;
  /** Aborted when the server closes, so pending waits answer at once instead of delaying shutdown. */
  closing: AbortSignal;
}

/**
 * The payment's state after waiting up to `wait` (capped at maxWaitMs) for its final answer. Any failure of
 * the wait itself (timer, shutdown, a failed long poll) falls through to reading the current state, which
 * reports a missing payment as PaymentNotFoundError like every other read.
 */
export async function stateAfterWait(
  deps: WaitDeps,
  paymentId: string,
  wait: string | undefined,
): Promise<PaymentState> {
  const waitMs = Math.min(wait === undefined ? 0 : (parseWait(wait) ?? 0), deps.maxWaitMs);
  if (waitMs > 0) await waitForResult(deps, paymentId, waitMs);
  return readState(deps, paymentId);
}

/** While the server closes (the worker may be stopping too), answer fast rather than not at all. */
const READ_TIMEOUT_CLOSING_MS = 2_000;

/**
 * A query is answered by a worker; with none polling (or Temporal going away) it would hang, so it gets a
 * deadline: the RPC is cancelled where the SDK allows it, and the answer is a 503 in any case.
 */
function readState(deps: WaitDeps, paymentId: string): Promise<PaymentState> {
  return withinReadDeadline(deps, () => deps.payments.getPayment(paymentId));
}

/**
 * Runs a Temporal call that needs a live worker (a query; a start, whose outcome Update a worker must accept)
 * within the read deadline, or answers 503. What it asked for may still happen: a start is repeated safely
 * with the same key, which is what a 503 tells the caller to do.
 */
export async function withinReadDeadline<T>(deps: WaitDeps, fn: () => Promise<T>): Promise<T> {
  const ms = deps.closing.aborted ? Math.min(READ_TIMEOUT_CLOSING_MS, deps.readTimeoutMs) : deps.readTimeoutMs;
  const cancel = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      cancel.abort();
      reject(apiError('service_unavailable', 'The payment could not be read in time; retry.'));
    }, ms);
  });
  const call = deps.temporal ? deps.temporal.withAbortSignal(cancel.signal, fn) : fn();
  call.catch(() => undefined); // after the deadline nobody awaits it
  try {
    return await Promise.race([call, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

async function waitForResult(deps: WaitDeps, paymentId: string, waitMs: number): Promise<void> {
  const stop = new AbortController();
  const signal = AbortSignal.any([stop.signal, deps.closing]);
  const timer = setTimeout(() => stop.abort(), waitMs);
  const expired = new Promise<void>((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
  const result = deps.temporal
    ? deps.temporal.withAbortSignal(signal, () => deps.payments.result(paymentId))
    : deps.payments.result(paymentId);
  try {
    await Promise.race([result.then(() => undefined), expired]);
  } catch {
    // The wait is best effort: the state read that follows answers (or reports not found) either way.
  } finally {
    clearTimeout(timer);
    stop.abort();
    result.catch(() => undefined); // the cancelled long poll rejects later; nobody is listening any more
  }
}
