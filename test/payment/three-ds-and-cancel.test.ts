/** 3DS waits for the customer's result; cancellation works before a charge and never after success. */
import { paymentIdFromKey } from '../../client/payment-id';
import { paymentWorkflowId } from '../../shared/ids';
import { customerCompletes3DS, ledgerFor } from '../support/gateway-admin';
import { saveHistory } from '../support/histories';
import { startPaymentHarness, uniqueKey, type PaymentHarness } from '../support/payment-harness';
import { eventually, waitForStatus } from '../support/wait';

let h: PaymentHarness;
beforeAll(async () => {
  h = await startPaymentHarness();
});
afterAll(async () => {
  await h?.teardown();
});

const threeDSCard = { type: 'card' as const, number: '4000000000003220' };

/** Waits until the workflow has run a task after its latest signal, so a query shows what that signal did. */
async function signalHandled(paymentId: string): Promise<void> {
  const handle = h.env.client.workflow.getHandle(paymentWorkflowId(paymentId));
  const handled = await eventually(
    async () => {
      const events = (await handle.fetchHistory()).events ?? [];
      const signalled = events.map((e) => Boolean(e.workflowExecutionSignaledEventAttributes)).lastIndexOf(true);
      return signalled >= 0 && events.slice(signalled).some((e) => e.workflowTaskCompletedEventAttributes);
    },
    (done) => done,
  );
  expect(handled).toBe(true);
}

describe('3DS', () => {
  it('completes the same charge after the customer authenticates', async () => {
    const { paymentId } = await h.client.startPayment({
      idempotencyKey: uniqueKey('3ds'),
      amount: 4200,
      currency: 'EUR',
      paymentMethod: threeDSCard,
    });
    const waiting = await waitForStatus(h.client, paymentId, 'requires_action');
    const chargeId = waiting.chargeId as string;
    await customerCompletes3DS(h.gateway.url, chargeId, 'succeeded');
    await h.client.complete3DS(paymentId, { result: 'succeeded', chargeId });
    const result = await h.client.result(paymentId);
    expect(result).toMatchObject({ status: 'succeeded', chargeId });
    const ledger = await ledgerFor(h.gateway.url, paymentId);
    expect(ledger).toHaveLength(1);
    expect(ledger[0]).toMatchObject({ id: chargeId, status: 'succeeded' });
    await saveHistory(h.env, 'three-ds-success', paymentId);
  });

  it('cancels when the customer fails authentication', async () => {
    const { paymentId } = await h.client.startPayment({
      idempotencyKey: uniqueKey('3ds-fail'),
      amount: 4200,
      currency: 'EUR',
      paymentMethod: threeDSCard,
    });
    const { chargeId } = await waitForStatus(h.client, paymentId, 'requires_action');
    await customerCompletes3DS(h.gateway.url, chargeId as string, 'failed');
    await h.client.complete3DS(paymentId, { result: 'failed', chargeId, reason: 'customer_failed_challenge' });
    const result = await h.client.result(paymentId);
    expect(result.status).toBe('cancelled');
    expect((await h.client.getPayment(paymentId)).reason).toBe('customer_failed_challenge');
  });

  it('cancels with a reason when 3DS times out', async () => {
    const client = h.clientWith({ threeDSTimeoutMs: 500 });
    const { paymentId } = await client.startPayment({
      idempotencyKey: uniqueKey('3ds-timeout'),
      amount: 4200,
      currency: 'EUR',
      paymentMethod: threeDSCard,
    });
    const result = await client.result(paymentId);
    expect(result.status).toBe('cancelled');
    expect((await client.getPayment(paymentId)).reason).toBe('authentication_timeout');
    await saveHistory(h.env, 'three-ds-timeout', paymentId);
  });

  it('ignores a 3DS result that names another charge: still awaiting, then completes with the right one', async () => {
    const { paymentId } = await h.client.startPayment({
      idempotencyKey: uniqueKey('3ds-stale'),
      amount: 4200,
      currency: 'EUR',
      paymentMethod: threeDSCard,
    });
    const waiting = await waitForStatus(h.client, paymentId, 'requires_action');
    const chargeId = waiting.chargeId as string;
    await expect(h.client.replaceCard(paymentId, { type: 'card', number: '4242424242424242' })).rejects.toThrow(
      /payment is requires_action, not awaiting a payment method/,
    );

    await h.client.complete3DS(paymentId, { result: 'succeeded', chargeId: 'ch_someone_else' });
    await signalHandled(paymentId);
    // Taken, the stale result would have moved the payment to processing (a confirm) in that very task.
    const after = await h.client.getPayment(paymentId);
    expect(after).toMatchObject({ status: 'requires_action', chargeId });
    expect(after.history).toEqual(waiting.history);
    expect((await ledgerFor(h.gateway.url, paymentId)).map((c) => [c.id, c.status])).toEqual([
      [chargeId, 'requires_action'],
    ]);

    // The payment still answers its own charge's result.
    await customerCompletes3DS(h.gateway.url, chargeId, 'succeeded');
    await h.client.complete3DS(paymentId, { result: 'succeeded', chargeId });
    expect(await h.client.result(paymentId)).toMatchObject({ status: 'succeeded', chargeId });
    const statuses = (await h.client.getPayment(paymentId)).history?.map((c) => c.status);
    expect(statuses).toEqual(['initiated', 'processing', 'requires_action', 'processing', 'succeeded']);
  });
});

describe('cancel', () => {
  it('cancels a payment before its charge is sent and charges nothing', async () => {
    // No worker polls this queue yet, so the cancel is delivered together with the workflow's first task.
    // startPayment returns once a worker accepted the outcome Update, so it is awaited only after the worker starts.
    const late = h.delayedWorker();
    const idempotencyKey = uniqueKey('cancel-early');
    const paymentId = paymentIdFromKey(idempotencyKey);
    const starting = late.client.startPayment({
      idempotencyKey,
      amount: 300,
      currency: 'USD',
      paymentMethod: { type: 'card', number: '4242424242424242' },
    });
    const handle = h.env.client.workflow.getHandle(paymentWorkflowId(paymentId));
    await eventually(
      () =>
        handle.describe().then(
          () => true,
          () => false,
        ),
      (exists) => exists,
    );
    const cancelling = late.client.cancel(paymentId, 'order withdrawn');
    await new Promise((r) => setTimeout(r, 300));
    await late.start();
    await expect(starting).resolves.toMatchObject({ paymentId, created: true });
    await expect(cancelling).resolves.toEqual({ status: 'cancelled' });
    const result = await late.client.result(paymentId);
    expect(result).toMatchObject({ status: 'cancelled', attempts: 0 });
    expect(await ledgerFor(h.gateway.url, paymentId)).toHaveLength(0);
    expect((await h.audit.history(paymentId)).map((r) => r.status)).toEqual(['initiated', 'cancelled']);
  });

  it('fails a dead-lettered payment when no operator decides within the window', async () => {
    const client = h.clientWith({ deadLetterWindowMs: 300 });
    const { paymentId } = await client.startPayment({
      idempotencyKey: uniqueKey('dl-window'),
      amount: 300,
      currency: 'USD',
      paymentMethod: { type: 'card', number: '4000000000009995' },
      initiator: 'merchant', // soft: retried, then dead-lettered
    });
    const result = await client.result(paymentId);
    expect(result.status).toBe('failed');
    expect((await client.getPayment(paymentId)).reason).toBe('dead_letter_window_expired');
    const statuses = (await h.audit.history(paymentId)).map((r) => r.status);
    expect(statuses.slice(-2)).toEqual(['dead_lettered', 'failed']);
  });
});
