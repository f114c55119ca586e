/**
 * `?wait=5s`: a request may wait for the payment's final answer, never longer than the configured maximum, and
 * never by holding anything but its own socket. The wait races the client's result() against a timer (a start
 * waits in its own update-with-start call, startWithWait, bounded by a gRPC deadline); when the timer wins, the
 * answer is the payment's current state (a 200, not an error) and the wait's RPCs are cancelled or end at their
 * deadline, so an expired wait leaves nothing running on the Temporal connection past its request.
 */
import type { PaymentsClient, StartedPayment } from '../client/payments-client';
import type { StartPaymentRequest } from '../client/schemas';
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
  const waitMs = boundedWait(deps, wait);
  if (waitMs > 0) await waitForResult(deps, paymentId, waitMs);
  return readState(deps, paymentId);
}

/**
 * POST /payments: the start, and with `?wait=` the wait for the answer in the same call (PaymentsClient's
 * startAndWait) for at most the wait; then, or at once without a wait, the start is made sure of within the read
 * deadline (a start needs a live worker to accept its outcome Update). The caller reads the state afterwards.
 */
export async function startWithWait(
  deps: WaitDeps,
  request: StartPaymentRequest,
  wait: string | undefined,
): Promise<StartedPayment> {
  const waitMs = boundedWait(deps, wait);
  // The start answers "pending" (503 payment_pending) before the read deadline says only "unavailable".
  if (waitMs === 0) {
    return withinReadDeadline(deps, (readMs) => deps.payments.startPayment(request, { answerBy: Date.now() + readMs }));
  }
  const own = untilClosing(deps.closing);
  try {
    return await withinReadDeadline(
      deps,
      (settleMs) => deps.payments.startAndWait(request, { ms: waitMs, signal: own.controller.signal, settleMs }),
      waitMs,
    );
  } finally {
    own.dispose();
  }
}

/**
 * A signal of this request's own that aborts when the server starts closing. The SDK adds an abort listener to a
 * call's signal for each RPC and never removes it, so a signal shared by all requests would collect them; and Node
 * keeps a signal from AbortSignal.any that has listeners alive until it aborts. A plain controller is collected
 * with the request once dispose() has removed its one listener from `closing`.
 */
function untilClosing(closing: AbortSignal): { controller: AbortController; dispose(): void } {
  const controller = new AbortController();
  const onClose = () => controller.abort();
  if (closing.aborted) controller.abort();
  else closing.addEventListener('abort', onClose, { once: true });
  return { controller, dispose: () => closing.removeEventListener('abort', onClose) };
}

function boundedWait(deps: WaitDeps, wait: string | undefined): number {
  return Math.min(wait === undefined ? 0 : (parseWait(wait) ?? 0), deps.maxWaitMs);
}

/** While the server closes (the worker may be stopping too), answer fast rather than not at all. */
const READ_TIMEOUT_CLOSING_MS = 2_000;

/**
 * A query is answered by a worker; with none polling (or Temporal going away) it would hang, so it gets a
 * deadline: the RPC is cancelled where the SDK allows it, and the answer is a 503 in any case.
 */
export function readState(deps: WaitDeps, paymentId: string): Promise<PaymentState> {
  return withinReadDeadline(deps, () => deps.payments.getPayment(paymentId));
}

/**
 * Runs a Temporal call that needs a live worker (a query; a start, whose outcome Update a worker must accept)
 * within the read deadline (after the call's own wait, if it has one; `fn` is told the read deadline), or answers
 * 503. What it asked for may still happen: a start is repeated safely with the same key, which is what a 503 tells
 * the caller to do.
 */
export async function withinReadDeadline<T>(
  deps: WaitDeps,
  fn: (readMs: number) => Promise<T>,
  waitMs = 0,
): Promise<T> {
  const closingMs = Math.min(READ_TIMEOUT_CLOSING_MS, deps.readTimeoutMs);
  const readMs = deps.closing.aborted ? closingMs : deps.readTimeoutMs;
  const cancel = new AbortController();
  const deadline = expiring(waitMs + readMs, () => cancel.abort());
  // A call under way when the server starts closing gets no longer than one made after: answer, then let go.
  const onClose = () => deadline.shorten(closingMs);
  if (!deps.closing.aborted) deps.closing.addEventListener('abort', onClose, { once: true });
  const call = deps.temporal ? deps.temporal.withAbortSignal(cancel.signal, () => fn(readMs)) : fn(readMs);
  call.catch(() => undefined); // after the deadline nobody awaits it
  try {
    return await Promise.race([call, deadline.expired]);
  } finally {
    deadline.clear();
    deps.closing.removeEventListener('abort', onClose);
  }
}

/** A 503 after `ms`, which `shorten` can bring forward (never push back); `onExpiry` cancels the call's RPCs. */
function expiring(ms: number, onExpiry: () => void) {
  const endsAt = Date.now() + ms;
  let timer: NodeJS.Timeout | undefined;
  let fail: (err: Error) => void = () => undefined;
  const expired = new Promise<never>((_resolve, reject) => {
    fail = reject;
  });
  const arm = (inMs: number) => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      onExpiry();
      fail(apiError('service_unavailable', 'The payment could not be read in time; retry.'));
    }, inMs);
  };
  arm(ms);
  return {
    expired,
    shorten: (inMs: number) => {
      if (Date.now() + inMs < endsAt) arm(inMs);
    },
    clear: () => clearTimeout(timer),
  };
}

async function waitForResult(deps: WaitDeps, paymentId: string, waitMs: number): Promise<void> {
  const own = untilClosing(deps.closing);
  const signal = own.controller.signal;
  const timer = setTimeout(() => own.controller.abort(), waitMs);
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
    own.controller.abort(); // cancels the long poll if it is still open
    own.dispose();
    result.catch(() => undefined); // the cancelled long poll rejects later; nobody is listening any more
  }
}
