/**
 * The answer of an update-with-start call, if it comes in time: PaymentsClient.startAndWait's wait. Bounded by a
 * gRPC deadline, because the SDK cancels a call on its abort signal only when the signal aborts after the call was
 * made (connection.js adds the listener at each RPC; an aborted signal never fires again), and by a race with the
 * signal, because the update's poll is an RPC of its own, made after the first one was answered.
 */
import {
  type Client,
  WorkflowExecutionAlreadyStartedError,
  WorkflowUpdateFailedError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
} from '@temporalio/client';

export interface AnswerBound {
  /** Epoch ms after which the answer is not waited for. */
  deadline: number;
  signal?: AbortSignal;
}

/**
 * The call's answer, or undefined when there is none to wait for (`started`: the start operation's handle, resolved
 * once the server answered the start): the deadline passed or the signal aborted (the
 * start sent or not), the workflow id's run had closed, the run closed without answering (terminated), or, once the
 * start was answered, the wait itself failed. A failure before the start was answered (the server refused it) is
 * thrown: the caller's start did not happen.
 */
export async function answerWithin<T>(
  client: Client,
  call: { answer(): Promise<T>; started: Promise<unknown> },
  bound: AnswerBound,
): Promise<T | undefined> {
  if (Date.now() >= bound.deadline || bound.signal?.aborted) return undefined;
  let started = false;
  call.started.then(
    () => (started = true),
    () => undefined,
  );
  const answer = client.withDeadline(bound.deadline, () =>
    bound.signal ? client.withAbortSignal(bound.signal, call.answer) : call.answer(),
  );
  const aborted = bound.signal && abortOf(bound.signal);
  try {
    return await (aborted ? Promise.race([answer, aborted.promise]) : answer);
  } catch (err) {
    if (started || noAnswer(err)) return undefined;
    throw err;
  } finally {
    aborted?.dispose();
    answer.catch(() => undefined); // after an abort nobody awaits it; its deadline ends it
  }
}

/**
 * `answering`, unless `check` throws first: `check` runs once `afterMs` passed without the answer, and only what it
 * throws on purpose (`refuses(err)`) ends the wait; any other failure of it is left to `answering` to tell. Its
 * signal aborts once the answer came. It cannot wait for the start to be answered: an update-with-start call
 * answers its start only with its update (the server holds the one call until the update completes or the call's
 * deadline), so `check` must hold true of the key's run whether or not this caller's start has reached it yet.
 */
export async function answerUnlessRefused<T>(
  answering: Promise<T>,
  meanwhile: { afterMs: number; check(answered: AbortSignal): Promise<void>; refuses(err: unknown): boolean },
): Promise<T> {
  const answered = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const due = new Promise<void>((resolve) => (timer = setTimeout(resolve, meanwhile.afterMs)));
  const checked = due
    .then(() => (answered.signal.aborted ? undefined : meanwhile.check(answered.signal)))
    .catch((err: unknown) => {
      if (meanwhile.refuses(err)) throw err;
    });
  try {
    return await Promise.race([answering, checked.then(() => answering)]);
  } finally {
    answered.abort(); // a check still reading stops: its finding can no longer change the answer
    clearTimeout(timer);
    // A refusal after the answer came rejects only the race's own branch, which the race handles: the answer stands.
  }
}

function noAnswer(err: unknown): boolean {
  return (
    err instanceof WorkflowUpdateRPCTimeoutOrCancelledError ||
    err instanceof WorkflowExecutionAlreadyStartedError ||
    err instanceof WorkflowUpdateFailedError
  );
}

/** Resolves (with undefined) when the signal aborts; dispose() removes its listener. */
function abortOf(signal: AbortSignal): { promise: Promise<undefined>; dispose(): void } {
  let onAbort = () => {};
  const promise = new Promise<undefined>((resolve) => {
    onAbort = () => resolve(undefined);
    signal.addEventListener('abort', onAbort, { once: true });
  });
  return { promise, dispose: () => signal.removeEventListener('abort', onAbort) };
}
