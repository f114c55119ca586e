/** Polls a payment's query until it reaches a status; fails with the last state seen. */
import type { PaymentsClient } from '../../client/payments-client';
import type { PaymentState } from '../../shared/payment-types';
import type { PaymentStatus } from '../../shared/payment-status';

export async function waitForStatus(
  client: PaymentsClient,
  paymentId: string,
  status: PaymentStatus,
  timeoutMs = 20_000,
): Promise<PaymentState> {
  const deadline = Date.now() + timeoutMs;
  let last: PaymentState | undefined;
  while (Date.now() < deadline) {
    last = await client.getPayment(paymentId);
    if (last.status === status) return last;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`payment ${paymentId} did not reach ${status}; last state: ${JSON.stringify(last)}`);
}

export async function eventually<T>(fn: () => Promise<T>, accept: (v: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = await fn();
  while (!accept(last) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    last = await fn();
  }
  return last;
}
