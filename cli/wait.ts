/**
 * Waiting for a payment to settle. `PaymentsClient.result()` would block for as long as the payment waits for a
 * customer or an operator (minutes to days), so the CLI polls the state query and stops at the first status
 * that needs someone else: a finished payment, or one parked awaiting action.
 */
import { TERMINAL_STATUSES, type PaymentStatus } from '../shared/payment-status';
import type { PaymentState } from '../shared/payment-types';
import type { PaymentsClient } from '../client/payments-client';

/** Statuses in which the workflow waits for someone outside it; polling longer would only hang. */
const PARKED_STATUSES: readonly PaymentStatus[] = [
  'requires_action',
  'awaiting_payment_method',
  'dead_lettered',
  // Waits for the gateway to come back (hours, at most its queue window): the CLI's answer is "delayed".
  'queued',
];

export type WaitOutcome = 'final' | 'parked' | 'timeout';

export interface Settled {
  outcome: WaitOutcome;
  /** The last state seen; undefined only if the payment never answered before the deadline. */
  state?: PaymentState;
}

const FIRST_POLL_MS = 100;
const MAX_POLL_MS = 1_000;

export async function waitUntilSettled(client: PaymentsClient, paymentId: string, timeoutMs: number): Promise<Settled> {
  const deadline = Date.now() + timeoutMs;
  let state: PaymentState | undefined;
  let pollMs = FIRST_POLL_MS;
  while (Date.now() < deadline) {
    // A query needs a worker; without one it would hang past our deadline, so it races the clock too.
    state = (await beforeDeadline(client.getPayment(paymentId), deadline)) ?? state;
    const outcome = state && settledOutcome(state.status);
    if (outcome) return { outcome, state };
    await sleep(Math.min(pollMs, Math.max(0, deadline - Date.now())));
    pollMs = Math.min(pollMs * 2, MAX_POLL_MS);
  }
  return { outcome: 'timeout', state };
}

function settledOutcome(status: PaymentStatus): Exclude<WaitOutcome, 'timeout'> | undefined {
  if (TERMINAL_STATUSES.includes(status)) return 'final';
  if (PARKED_STATUSES.includes(status)) return 'parked';
  return undefined;
}

/** The promise's value, or undefined when the deadline passes first (a later rejection is still handled by race). */
async function beforeDeadline<T>(promise: Promise<T>, deadline: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), Math.max(0, deadline - Date.now()));
  });
  try {
    return await Promise.race([promise, expired]);
  } finally {
    clearTimeout(timer);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
