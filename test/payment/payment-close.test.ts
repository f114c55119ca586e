/**
 * A version 4 run closes as its payment ended, so the Temporal UI's status column says it: Completed for a
 * payment that succeeded, Failed (type PaymentFailed) for a decline, Failed (type PaymentCancelled) for the
 * customer's cancel, Canceled for an operator's cancel through Temporal. Each closed run still gives the one
 * answer (client result, GET), and a repeat of the request answers from it: a Failed run is never started again.
 */
import { ApplicationFailure, CancelledFailure, WorkflowFailedError } from '@temporalio/client';
import { WorkflowCloseType } from '../../shared/errors';
import { paymentWorkflowId } from '../../shared/ids';
import { THREE_DS } from '../support/cards';
import { ledgerFor } from '../support/gateway-admin';
import { saveHistory } from '../support/histories';
import { operatorCancels } from '../support/operator-actions';
import { startPaymentHarness, uniqueKey, type PaymentHarness } from '../support/payment-harness';
import { eventually, waitForStatus } from '../support/wait';

const FRAUD = { type: 'card' as const, number: '4000000000009979' }; // stolen_card: fails at once

let h: PaymentHarness;
beforeAll(async () => {
  h = await startPaymentHarness();
});
afterAll(async () => {
  await h?.teardown();
});

/** How the run closed, once it has, and the failure it closed with (undefined for Completed). */
async function closed(paymentId: string): Promise<{ status: string; failure?: unknown }> {
  const handle = h.env.client.workflow.getHandle(paymentWorkflowId(paymentId));
  const status = await eventually(
    async () => (await handle.describe()).status.name,
    (s) => s !== 'RUNNING',
  );
  const failure = await handle.result().then(
    () => undefined,
    (err: unknown) => (err instanceof WorkflowFailedError ? err.cause : err),
  );
  return { status, failure };
}

async function parkedOnThreeDS(label: string) {
  const { paymentId } = await h.client.startPayment({
    idempotencyKey: uniqueKey(label),
    amount: 3100,
    currency: 'EUR',
    paymentMethod: THREE_DS,
  });
  const { chargeId } = await waitForStatus(h.client, paymentId, 'requires_action');
  return { paymentId, chargeId };
}

describe('a version 4 run closes as its payment ended', () => {
  it('a decline closes Failed with type PaymentFailed, the answer in its details; a repeat answers from it', async () => {
    const request = {
      idempotencyKey: uniqueKey('close-declined'),
      amount: 1500,
      currency: 'USD',
      paymentMethod: FRAUD,
    };
    const { paymentId } = await h.client.startPayment(request);
    const answer = await h.client.result(paymentId);
    expect(answer).toMatchObject({ paymentId, status: 'failed' });

    const run = await closed(paymentId);
    expect(run.status).toBe('FAILED');
    expect(run.failure).toBeInstanceOf(ApplicationFailure);
    expect((run.failure as ApplicationFailure).type).toBe(WorkflowCloseType.PaymentFailed);
    expect((run.failure as ApplicationFailure).nonRetryable).toBe(true);
    expect((run.failure as ApplicationFailure).details?.[0]).toEqual(answer);

    // Read after close: the client's answer, GET's state, and a repeat of the request all say the same payment.
    expect(await h.client.result(paymentId)).toEqual(answer);
    expect(await h.client.getPayment(paymentId)).toMatchObject({ status: 'failed' });
    const again = await h.client.startPayment(request);
    expect(again).toMatchObject({ paymentId, created: false });
    expect(await h.client.result(again.paymentId)).toEqual(answer);
    const ledger = await ledgerFor(h.gateway.url, paymentId);
    expect(ledger.filter((c) => c.status === 'succeeded')).toHaveLength(0);
    expect((await h.audit.history(paymentId)).map((r) => r.status)).toEqual(['initiated', 'processing', 'failed']);
    await saveHistory(h.env, 'v4-declined-closes-failed', paymentId);
  });

  it("the customer's cancel closes Failed with type PaymentCancelled, the charge cancelled at the gateway", async () => {
    const { paymentId, chargeId } = await parkedOnThreeDS('close-customer-cancel');
    expect(await h.client.cancel(paymentId, 'changed my mind')).toMatchObject({ status: 'cancelled' });

    const run = await closed(paymentId);
    expect(run.status).toBe('FAILED');
    expect((run.failure as ApplicationFailure).type).toBe(WorkflowCloseType.PaymentCancelled);
    expect((run.failure as ApplicationFailure).details?.[0]).toMatchObject({ paymentId, status: 'cancelled' });
    expect(await h.client.result(paymentId)).toMatchObject({ paymentId, status: 'cancelled' });
    const ledger = await ledgerFor(h.gateway.url, paymentId);
    expect(ledger).toEqual([expect.objectContaining({ id: chargeId, status: 'canceled' })]);
    await saveHistory(h.env, 'v4-customer-cancel-closes-failed', paymentId);
  });

  it("an operator's cancel through Temporal closes Canceled, recorded as the operator's", async () => {
    const { paymentId, chargeId } = await parkedOnThreeDS('close-operator-cancel');
    await operatorCancels(h, paymentId, 'fraud team hold');

    const run = await closed(paymentId);
    expect(run.status).toBe('CANCELLED');
    expect(run.failure).toBeInstanceOf(CancelledFailure); // no details: the client asks the closed run's state
    expect(await h.client.result(paymentId)).toMatchObject({ paymentId, status: 'cancelled' });
    expect(await h.client.getPayment(paymentId)).toMatchObject({ status: 'cancelled', reason: 'fraud team hold' });
    const trail = await h.audit.history(paymentId);
    expect(trail.at(-1)).toMatchObject({
      status: 'cancelled',
      metadata: expect.objectContaining({ by: 'operator', via: 'temporal' }),
    });
    const ledger = await ledgerFor(h.gateway.url, paymentId);
    expect(ledger).toEqual([expect.objectContaining({ id: chargeId, status: 'canceled' })]);
    await saveHistory(h.env, 'v4-operator-cancel-closes-canceled', paymentId);
  });
});
