/**
 * Unit test of api/wait.ts with a stand-in PaymentsClient: every wait gets a signal of its own that follows the
 * server's closing, and leaves no listener on the shared closing signal (the SDK adds one per RPC to the signal it
 * is given and never removes it, so a shared signal would collect one per request for the server's lifetime).
 */
import { getEventListeners } from 'node:events';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { PaymentsClient } from '../../client/payments-client';
import type { PaymentResult, PaymentState } from '../../shared/payment-types';
import { stateAfterWait, startWithWait, type WaitDeps } from '../../api/wait';

const state = { paymentId: 'p1', status: 'requires_action' } as PaymentState;

function stand(overrides: Partial<PaymentsClient>): { deps: WaitDeps; closing: AbortController } {
  const closing = new AbortController();
  const payments = { getPayment: async () => state, ...overrides } as unknown as PaymentsClient;
  return { closing, deps: { payments, maxWaitMs: 5_000, readTimeoutMs: 700, closing: closing.signal } };
}

const request = { idempotencyKey: 'k1', amount: 100, currency: 'USD', paymentMethod: { type: 'card', number: '4242' } };

describe('api/wait', () => {
  it('a start with a wait: the wait and read deadline are passed on, and a signal of its own follows closing', async () => {
    let seen: { ms: number; signal?: AbortSignal; settleMs?: number } | undefined;
    const { deps, closing } = stand({
      startAndWait: async (_req, wait) => {
        seen = wait;
        // This request's, while it runs: its own signal's and its deadline's (brought forward on close).
        expect(getEventListeners(closing.signal, 'abort')).toHaveLength(2);
        closing.abort(); // the server starts closing during the wait
        expect(wait.signal?.aborted).toBe(true);
        return { paymentId: 'p1', workflowId: 'payment-p1', created: true };
      },
    });
    await expect(startWithWait(deps, request as never, '2s')).resolves.toMatchObject({ created: true });
    expect(seen).toMatchObject({ ms: 2_000, settleMs: 700 });
    expect(seen?.signal).not.toBe(closing.signal);
    expect(getEventListeners(closing.signal, 'abort')).toHaveLength(0);
  });

  it('caps the wait at the maximum, and a start without a wait is startPayment', async () => {
    const calls: string[] = [];
    const { deps, closing } = stand({
      startAndWait: async (_req, wait) => {
        calls.push(`startAndWait ${wait.ms}`);
        return { paymentId: 'p1', workflowId: 'w', created: false };
      },
      startPayment: async () => {
        calls.push('startPayment');
        return { paymentId: 'p1', workflowId: 'w', created: true };
      },
    });
    await startWithWait(deps, request as never, '60s');
    await startWithWait(deps, request as never, undefined);
    await startWithWait(deps, request as never, 'soon'); // no duration: no wait (the schema refuses it before)
    expect(calls).toEqual(['startAndWait 5000', 'startPayment', 'startPayment']);
    expect(getEventListeners(closing.signal, 'abort')).toHaveLength(0);
  });

  it('a read with a wait leaves no listener on closing, whether the answer or the timer came first', async () => {
    let wakeResult: (r: PaymentResult) => void = () => {};
    const { deps, closing } = stand({
      result: () => new Promise<PaymentResult>((resolve) => (wakeResult = resolve)),
    });
    const t0 = Date.now();
    await expect(stateAfterWait(deps, 'p1', '300ms')).resolves.toBe(state); // the timer first
    expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
    const answered = stateAfterWait(deps, 'p1', '5s');
    wakeResult({ paymentId: 'p1', status: 'succeeded' } as PaymentResult); // the answer first
    await expect(answered).resolves.toBe(state);
    expect(getEventListeners(closing.signal, 'abort')).toHaveLength(0);
  });

  it('answers 503 when the start cannot be made sure of within the wait and the read deadline', async () => {
    const { deps } = stand({ startAndWait: () => new Promise(() => {}) });
    const t0 = Date.now();
    await expect(startWithWait(deps, request as never, '300ms')).rejects.toMatchObject({
      code: 'service_unavailable',
    });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(950); // 300 ms + 700 ms
  });

  it('the signal a wait hands to the SDK is collected after the request, listeners and all', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const refs: WeakRef<AbortSignal>[] = [];
    const { deps } = stand({
      startAndWait: async (_req, wait) => {
        // As the SDK's connection does for each RPC: a listener on the call's signal that is never removed.
        wait.signal?.addEventListener('abort', () => undefined);
        if (wait.signal) refs.push(new WeakRef(wait.signal));
        return { paymentId: 'p1', workflowId: 'w', created: true };
      },
    });
    for (let i = 0; i < 20; i++) await startWithWait(deps, request as never, '1s');
    for (let i = 0; i < 3; i++) {
      await new Promise((resolve) => setImmediate(resolve));
      gc();
    }
    expect(refs).toHaveLength(20);
    expect(refs.filter((r) => r.deref() !== undefined)).toHaveLength(0);
  });
});
