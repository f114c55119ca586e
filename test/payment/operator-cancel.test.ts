/**
 * An operator's cancellation through Temporal (the UI's Request Cancellation, `temporal workflow cancel`) is a
 * cancel request like the API's, at each point a payment can be in: parked on 3DS, with a charge in flight,
 * retrying, dead-lettered, and after success. Each case checks the gateway's ledger, the audit trail, GET and the
 * search attribute; nothing is abandoned mid-step and nothing captured is undone.
 */
import { paymentIdFromKey } from '../../client/payment-id';
import { paymentWorkflowId } from '../../shared/ids';
import { PaymentStatusKey } from '../../shared/search-attributes';
import { NSF, THREE_DS, VISA } from '../support/cards';
import { addFaultsFor, ledgerFor } from '../support/gateway-admin';
import { saveHistory } from '../support/histories';
import { operatorCancels } from '../support/operator-actions';
import { startPaymentHarness, uniqueKey, type PaymentHarness } from '../support/payment-harness';
import { eventually, waitForStatus } from '../support/wait';

/**
 * Input version 3: these tests are of runs that stay open after capture and take refunds themselves (such runs are
 * live in production). A version 4 run closes as it succeeds; its refunds are in refunds-workflow.test.ts.
 */
const OPEN_RUNS = { inputVersion: 3 };

let h: PaymentHarness;
beforeAll(async () => {
  h = await startPaymentHarness(OPEN_RUNS);
});
afterAll(async () => {
  await h?.teardown();
});

async function searchAttribute(paymentId: string): Promise<string | undefined> {
  const described = await h.env.client.workflow.getHandle(paymentWorkflowId(paymentId)).describe();
  return described.typedSearchAttributes.get(PaymentStatusKey);
}

async function auditTrail(paymentId: string) {
  return h.audit.history(paymentId);
}

describe('operator cancellation through Temporal', () => {
  it('cancels a payment parked on 3DS: the charge is cancelled at the gateway, the trail says who and why', async () => {
    const { paymentId } = await h.client.startPayment({
      idempotencyKey: uniqueKey('op-cancel-3ds'),
      amount: 4200,
      currency: 'EUR',
      paymentMethod: THREE_DS,
    });
    const { chargeId } = await waitForStatus(h.client, paymentId, 'requires_action');
    await operatorCancels(h, paymentId, 'customer called: card 4242 4242 4242 4242 stolen');
    const result = await h.client.result(paymentId);
    expect(result.status).toBe('cancelled');

    const ledger = await ledgerFor(h.gateway.url, paymentId);
    expect(ledger).toHaveLength(1);
    expect(ledger[0]).toMatchObject({ id: chargeId, status: 'canceled' });
    const trail = await auditTrail(paymentId);
    expect(trail.filter((r) => r.status === 'cancelled')).toHaveLength(1);
    expect(trail.at(-1)).toMatchObject({
      status: 'cancelled',
      metadata: expect.objectContaining({ by: 'operator', via: 'temporal', requestedBy: 'ops-alice@example' }),
    });
    const reason = trail.at(-1)?.metadata.reason as string;
    expect(reason).toMatch(/^customer called: card /);
    expect(reason).not.toContain('4242 4242 4242 4242');
    const state = await h.client.getPayment(paymentId);
    expect(state).toMatchObject({ status: 'cancelled', reason });
    expect(await searchAttribute(paymentId)).toBe('cancelled');
    // The run ends as a payment that was cancelled, not as an abandoned Temporal execution.
    const described = await h.env.client.workflow.getHandle(paymentWorkflowId(paymentId)).describe();
    expect(described.status.name).toBe('COMPLETED');
    await saveHistory(h.env, 'operator-cancel-3ds', paymentId);
  });

  it('lets a charge in flight finish: a capture stands, is recorded as such, and stays refundable once', async () => {
    const idempotencyKey = uniqueKey('op-cancel-inflight');
    const paymentId = paymentIdFromKey(idempotencyKey);
    await addFaultsFor(h.gateway.url, paymentId, [
      { kind: 'latency', latencyMs: 1_500, count: 1, match: { method: 'POST', path: '/v1/charges' } },
    ]);
    await h.client.startPayment({ idempotencyKey, amount: 1800, currency: 'USD', paymentMethod: VISA });
    await waitForStatus(h.client, paymentId, 'processing');
    await operatorCancels(h, paymentId, 'double order');
    const result = await h.client.result(paymentId);
    expect(result.status).toBe('succeeded');
    const ledger = await ledgerFor(h.gateway.url, paymentId);
    expect(ledger.map((c) => c.status)).toEqual(['succeeded']);
    const trail = await auditTrail(paymentId);
    expect(trail.map((r) => r.status)).not.toContain('cancelled');
    expect(trail.at(-1)).toMatchObject({
      status: 'succeeded',
      metadata: expect.objectContaining({ operatorCancel: 'refused_after_capture' }),
    });
    const refund = await h.client.refund(paymentId, { requestKey: 'r1' });
    expect(refund).toMatchObject({ status: 'succeeded', amount: 1800 });
    await expect(h.client.refund(paymentId, { requestKey: 'r2' })).rejects.toThrow(/refund/i);
    expect(await searchAttribute(paymentId)).toBe('refunded');
    await saveHistory(h.env, 'operator-cancel-in-flight', paymentId);
  });

  it('cancels a payment waiting to retry a soft decline, with no further charge', async () => {
    const client = h.clientWith({ softRetry: { maxAttempts: 5, baseDelayMs: 60_000, maxDelayMs: 60_000 } });
    const { paymentId } = await client.startPayment({
      idempotencyKey: uniqueKey('op-cancel-retry'),
      amount: 900,
      currency: 'USD',
      paymentMethod: NSF,
      initiator: 'merchant',
    });
    await waitForStatus(client, paymentId, 'pending_retry');
    await operatorCancels(h, paymentId);
    expect((await client.result(paymentId)).status).toBe('cancelled');
    expect((await ledgerFor(h.gateway.url, paymentId)).map((c) => c.status)).toEqual(['failed']);
    const last = (await auditTrail(paymentId)).at(-1);
    expect(last).toMatchObject({
      status: 'cancelled',
      metadata: expect.objectContaining({ by: 'operator', reason: 'cancelled_by_operator' }),
    });
    expect(await searchAttribute(paymentId)).toBe('cancelled');
  });

  it('cancels a dead-lettered payment', async () => {
    const { paymentId } = await h.client.startPayment({
      idempotencyKey: uniqueKey('op-cancel-dlq'),
      amount: 700,
      currency: 'USD',
      paymentMethod: NSF,
      initiator: 'merchant',
    });
    await waitForStatus(h.client, paymentId, 'dead_lettered');
    await operatorCancels(h, paymentId, 'written off');
    expect((await h.client.result(paymentId)).status).toBe('cancelled');
    const statuses = (await auditTrail(paymentId)).map((r) => r.status);
    expect(statuses.slice(-2)).toEqual(['dead_lettered', 'cancelled']);
    expect((await ledgerFor(h.gateway.url, paymentId)).every((c) => c.status === 'failed')).toBe(true);
    expect(await searchAttribute(paymentId)).toBe('cancelled');
  });

  it('does not undo a succeeded payment: it stays open and refundable', async () => {
    const { paymentId } = await h.client.startPayment({
      idempotencyKey: uniqueKey('op-cancel-after'),
      amount: 1100,
      currency: 'USD',
      paymentMethod: VISA,
    });
    expect((await h.client.result(paymentId)).status).toBe('succeeded');
    await operatorCancels(h, paymentId, 'too late');
    const handle = h.env.client.workflow.getHandle(paymentWorkflowId(paymentId));
    // The request is in the history and handled; the run stays open for refunds.
    await eventually(
      async () => (await handle.fetchHistory()).events?.slice(-1)[0]?.workflowTaskCompletedEventAttributes,
      Boolean,
    );
    expect((await handle.describe()).status.name).toBe('RUNNING');
    expect((await h.client.getPayment(paymentId)).status).toBe('succeeded');
    expect((await auditTrail(paymentId)).map((r) => r.status)).not.toContain('cancelled');
    expect(await h.client.refund(paymentId, { requestKey: 'after-cancel', amount: 100 })).toMatchObject({
      status: 'succeeded',
      amount: 100,
    });
    expect(await searchAttribute(paymentId)).toBe('partially_refunded');
  });
});
