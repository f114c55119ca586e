/**
 * Issue 12 item 3: idempotency that outlives Temporal's retention and the gateway's key memory. A payment's run
 * is deleted (as retention would) and the sandbox forgets its keys; a repeat with the same key must still be
 * the same payment: one charge, a replayed answer from the audit trail, no rows from a second run.
 */
import { paymentIdFromKey } from '../../client/payment-id';
import { paymentWorkflowId } from '../../shared/ids';
import { ledgerFor } from '../support/gateway-admin';
import { uniqueKey } from '../support/payment-harness';
import { eventually } from '../support/wait';
import { expectApiError, payment, startApiHarness, VISA, type ApiHarness } from './api-harness';

/** The sandbox forgets a key this long after its request; the test waits it out before repeating. */
const GATEWAY_KEY_TTL_MS = 300;

let api: ApiHarness;
beforeAll(async () => {
  api = await startApiHarness({}, { harness: { gatewayIdempotencyTtlMs: GATEWAY_KEY_TTL_MS } });
});
afterAll(async () => {
  await api?.teardown();
});

/**
 * What retention does to a closed run, done at once: the run and its history are gone from Temporal. A run of
 * input version 4 is closed when it succeeds; the server deletes it once its close task is acknowledged (the
 * test server acknowledges every second: test/support/global-setup.ts), so this waits until it is gone.
 */
async function deleteRun(key: string): Promise<void> {
  const workflowId = paymentWorkflowId(paymentIdFromKey(key));
  await api.h.env.client.workflowService.deleteWorkflowExecution({
    namespace: api.h.env.client.options.namespace,
    workflowExecution: { workflowId },
  });
  // Deletion is asynchronous on the server; a start before it lands would be refused as a duplicate.
  expect(
    await eventually(
      () => api.workflowExists(key),
      (exists) => !exists,
    ),
  ).toBe(false);
  await new Promise((resolve) => setTimeout(resolve, GATEWAY_KEY_TTL_MS * 2)); // and the gateway forgot the key
}

/** Which runs wrote a payment's audit rows (current-shape event keys start with the run id). */
async function auditRuns(paymentId: string): Promise<string[]> {
  const rows = await api.h.audit.history(paymentId);
  return [...new Set(rows.map((r) => r.eventKey.split(':')[0]))];
}

async function succeededCharges(paymentId: string): Promise<number> {
  return (await ledgerFor(api.h.gateway.url, paymentId)).filter((c) => c.status === 'succeeded').length;
}

describe('a repeat after the run is gone and the gateway forgot the key', () => {
  it('is the same payment: one charge, a replayed answer from the audit trail, one run in the trail', async () => {
    const key = uniqueKey('retained');
    const paymentId = paymentIdFromKey(key);
    const first = await api.pay(key, payment(), '?wait=5s');
    expect(first).toMatchObject({ status: 201, body: { paymentId, status: 'succeeded' } });
    const trail = (await api.h.audit.history(paymentId)).map((r) => r.status);
    expect(trail).toEqual(['initiated', 'processing', 'succeeded']);
    await deleteRun(key);

    const repeat = await api.pay(key, payment(), '?wait=5s');
    expect(repeat.status).toBe(200);
    expect(repeat.headers.get('idempotent-replayed')).toBe('true');
    expect(repeat.body).toMatchObject({
      paymentId,
      status: 'succeeded',
      chargeId: first.body.chargeId,
      amount: 1999,
      currency: 'USD',
      customerMessage: first.body.customerMessage,
      fromAuditTrail: true,
    });
    expect(repeat.body.history.map((c: { status: string }) => c.status)).toEqual(trail);
    expect(await succeededCharges(paymentId)).toBe(1);
    expect((await api.h.audit.history(paymentId)).map((r) => r.status)).toEqual(trail);
    expect(await auditRuns(paymentId)).toHaveLength(1);

    const read = await api.call('GET', `/payments/${paymentId}`);
    expect(read.body).toMatchObject({ status: 'succeeded', chargeId: first.body.chargeId, fromAuditTrail: true });

    expectApiError(await api.pay(key, payment(VISA, 2999)), 422, 'idempotency_key_reused');
    expect((await api.pay(key, payment())).headers.get('idempotent-replayed')).toBe('true');
    expect(await succeededCharges(paymentId)).toBe(1);
  });

  it('refuses the key with another body (422), and still answers the first body with its payment', async () => {
    const key = uniqueKey('retained-reuse');
    const paymentId = paymentIdFromKey(key);
    const first = await api.pay(key, payment(), '?wait=5s');
    expect(first.body.status).toBe('succeeded');
    await deleteRun(key);

    // This request starts the new run: the run finds the key claimed with another fingerprint.
    expectApiError(await api.pay(key, payment(VISA, 2999), '?wait=5s'), 422, 'idempotency_key_reused');
    expectApiError(await api.pay(key, payment(VISA, 2999)), 422, 'idempotency_key_reused');
    const repeat = await api.pay(key, payment(), '?wait=5s');
    expect(repeat.status).toBe(200);
    expect(repeat.body).toMatchObject({ status: 'succeeded', chargeId: first.body.chargeId, amount: 1999 });
    expect(await succeededCharges(paymentId)).toBe(1);
    expect(await auditRuns(paymentId)).toHaveLength(1);
  });

  it('fails a cancel accepted before the claim was known, and charges nothing', async () => {
    const key = uniqueKey('retained-cancel');
    const paymentId = paymentIdFromKey(key);
    const first = await api.pay(key, payment(), '?wait=5s');
    await deleteRun(key);

    // The new run's first task (which accepts the cancel) runs before its claim finds the earlier run.
    const late = api.h.delayedWorker();
    const starting = late.client.startPayment({
      idempotencyKey: key,
      ...payment(),
      paymentMethod: { type: 'card', number: VISA },
    });
    await eventually(
      () => api.workflowExists(key),
      (exists) => exists,
    );
    const cancelling = late.client.cancel(paymentId, 'order withdrawn');
    await new Promise((resolve) => setTimeout(resolve, 300));
    await late.start();
    await expect(starting).resolves.toMatchObject({ paymentId, created: false });
    await expect(cancelling).rejects.toThrow(/answered from its earlier run/);
    expect(await late.client.result(paymentId)).toMatchObject({ status: 'succeeded', chargeId: first.body.chargeId });
    expect(await succeededCharges(paymentId)).toBe(1);
    expect(await auditRuns(paymentId)).toHaveLength(1);
  });
});
