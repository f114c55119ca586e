/**
 * Operators' actions on payments of input version 4, whose run closes when the payment is settled: after success
 * a cancellation cannot reach the closed run, a reset re-runs the payment without a second charge
 * and closes again, and refunds still go through the refunds workflow exactly once. Before settlement a v4 run is
 * the same code as v3's (test/payment/operator-cancel.test.ts, operator-reset.test.ts).
 */
import { paymentWorkflowId } from '../../shared/ids';
import { TERMINAL_STATUSES } from '../../shared/payment-status';
import { THREE_DS, VISA } from '../support/cards';
import { ledgerFor } from '../support/gateway-admin';
import { operatorCancels, operatorResets, taskToResetTo } from '../support/operator-actions';
import { startPaymentHarness, uniqueKey, type PaymentHarness } from '../support/payment-harness';
import { eventually, waitForStatus } from '../support/wait';

let h: PaymentHarness;
beforeAll(async () => {
  h = await startPaymentHarness({ inputVersion: 4 });
});
afterAll(async () => {
  await h?.teardown();
});

async function runStatus(paymentId: string, runId?: string): Promise<string> {
  return (await h.env.client.workflow.getHandle(paymentWorkflowId(paymentId), runId).describe()).status.name;
}

async function succeededPayment(label: string) {
  const { paymentId } = await h.client.startPayment({
    idempotencyKey: uniqueKey(label),
    amount: 2600,
    currency: 'USD',
    paymentMethod: VISA,
  });
  const result = await h.client.result(paymentId);
  expect(result.status).toBe('succeeded');
  expect(
    await eventually(
      () => runStatus(paymentId),
      (s) => s !== 'RUNNING',
    ),
  ).toBe('COMPLETED');
  return { paymentId, chargeId: result.chargeId };
}

async function refundOnce(paymentId: string, amount: number) {
  const refund = await h.client.refund(paymentId, { requestKey: uniqueKey('op-v4-refund'), amount });
  expect(refund.status).toBe('succeeded');
  const res = await fetch(`${h.gateway.url}/_sandbox/ledger`);
  const { refunds } = (await res.json()) as { refunds?: Array<{ id: string }> };
  expect((refunds ?? []).filter((r) => r.id === refund.refundId)).toHaveLength(1);
  return refund;
}

describe('operators and a version 4 payment', () => {
  it('after success, a cancellation cannot reach the closed run: nothing is undone, and it is refundable once', async () => {
    const { paymentId, chargeId } = await succeededPayment('op-v4-cancel');
    const handle = h.env.client.workflow.getHandle(paymentWorkflowId(paymentId));
    const events = (await handle.fetchHistory()).events?.length;
    // The dev server (1.29) answers a cancellation of a closed run without error and records nothing.
    await operatorCancels(h, paymentId, 'customer changed their mind');
    expect(await runStatus(paymentId)).toBe('COMPLETED');
    expect((await handle.fetchHistory()).events?.length).toBe(events);
    expect(await h.client.getPayment(paymentId)).toMatchObject({ status: 'succeeded', chargeId });
    const rows = await h.audit.history(paymentId);
    expect(rows.filter((r) => r.status === 'cancelled')).toHaveLength(0);
    await refundOnce(paymentId, 1000);
    expect(await h.client.getPayment(paymentId)).toMatchObject({ status: 'partially_refunded', amountRefunded: 1000 });
    expect(await ledgerFor(h.gateway.url, paymentId)).toHaveLength(1);
  });

  it('a reset of the closed run re-runs it without a second charge, closes again, and refunds still go once', async () => {
    const { paymentId, chargeId } = await succeededPayment('op-v4-reset');
    const firstTask = await taskToResetTo(h, paymentId, 'first');
    const { fromRunId, runId } = await operatorResets(h, paymentId, firstTask, 'replay after a worker fix');
    expect(
      await eventually(
        () => runStatus(paymentId, runId),
        (s) => s !== 'RUNNING',
      ),
    ).toBe('COMPLETED');
    expect(await runStatus(paymentId, fromRunId)).toBe('COMPLETED'); // a closed run is reset, not terminated

    const ledger = await ledgerFor(h.gateway.url, paymentId);
    expect(ledger).toHaveLength(1);
    expect(ledger[0]).toMatchObject({ id: chargeId, status: 'succeeded' });
    const trail = await h.audit.history(paymentId);
    const ofRun = (id: string) => trail.filter((r) => r.eventKey.startsWith(`${id}:`));
    for (const id of [fromRunId, runId]) {
      expect(
        ofRun(id)
          .filter((r) => TERMINAL_STATUSES.includes(r.status))
          .map((r) => r.status),
      ).toEqual(['succeeded']);
    }
    expect(ofRun(runId)[0]?.metadata).toMatchObject({ resetFrom: fromRunId, resetReason: 'replay after a worker fix' });
    expect(ofRun(runId).at(-1)?.metadata.chargeId).toBe(chargeId);

    await refundOnce(paymentId, 2600);
    expect(await h.client.getPayment(paymentId)).toMatchObject({ status: 'refunded', amountRefunded: 2600 });
    await expect(h.client.refund(paymentId, { requestKey: uniqueKey('op-v4-more'), amount: 1 })).rejects.toThrow();
  });

  it('before settlement a cancellation works as for v3: the 3DS charge is cancelled and the run closes', async () => {
    const { paymentId } = await h.client.startPayment({
      idempotencyKey: uniqueKey('op-v4-3ds'),
      amount: 1500,
      currency: 'EUR',
      paymentMethod: THREE_DS,
    });
    const { chargeId } = await waitForStatus(h.client, paymentId, 'requires_action');
    await operatorCancels(h, paymentId, 'fraud team hold');
    expect((await h.client.result(paymentId)).status).toBe('cancelled');
    expect(
      await eventually(
        () => runStatus(paymentId),
        (s) => s !== 'RUNNING',
      ),
    ).not.toBe('RUNNING');
    expect(await ledgerFor(h.gateway.url, paymentId)).toEqual([
      expect.objectContaining({ id: chargeId, status: 'canceled' }),
    ]);
    const last = (await h.audit.history(paymentId)).at(-1);
    expect(last).toMatchObject({
      status: 'cancelled',
      metadata: expect.objectContaining({ by: 'operator', via: 'temporal' }),
    });
  });
});
