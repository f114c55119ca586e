/** Issue 6, disputes: a workflow per dispute gathers evidence by reason, submits before the deadline, records the decision. */
import { DisputesClient, type GatewayDispute } from '../../client/disputes-client';
import { disputeWorkflowId, paymentWorkflowId, refundsWorkflowId } from '../../shared/ids';
import type { OrderDetails } from '../../shared/payment-types';
import { startPaymentHarness, uniqueKey, type PaymentHarness } from '../support/payment-harness';
import { eventually } from '../support/wait';

let h: PaymentHarness;
let disputes: DisputesClient;
beforeAll(async () => {
  h = await startPaymentHarness();
  // Long margin by default: a test that wants the deadline path opens a dispute due within it.
  disputes = new DisputesClient(h.env.client, {
    taskQueue: h.taskQueue,
    policy: { submitMarginMs: 1_000, closedCheckIntervalMs: 60_000 },
  });
});
afterAll(async () => {
  await h?.teardown();
});

const ORDER: OrderDetails = {
  customerName: 'Ada Lovelace',
  customerEmail: 'ada@example.com',
  customerIp: '203.0.113.7',
  deviceId: 'dev_9f2c',
  productDescription: 'Analytical engine, 1 unit',
  shippingAddress: '12 St James Square, London',
  shippingCarrier: 'UPS',
  trackingNumber: '1Z999AA10123456784',
  shippedAt: '2026-11-01T10:00:00Z',
  deliveredAt: '2026-11-03T15:30:00Z',
};

async function paid(customerId: string, order: OrderDetails = ORDER) {
  const { paymentId } = await h.client.startPayment({
    idempotencyKey: uniqueKey('disputed'),
    amount: 4200,
    currency: 'USD',
    paymentMethod: { type: 'card', number: '4242424242424242' },
    customerId,
    order,
  });
  const result = await h.client.result(paymentId);
  expect(result.status).toBe('succeeded');
  return { paymentId, chargeId: result.chargeId ?? '' };
}

async function sandbox<T>(path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${h.gateway.url}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

async function gatewayDispute(
  id: string,
): Promise<GatewayDispute & { status: string; evidence: Record<string, string> }> {
  return (await fetch(`${h.gateway.url}/v1/disputes/${id}`, {
    headers: { authorization: 'Bearer sk_test_sandbox' },
  }).then((r) => r.json())) as GatewayDispute & { status: string; evidence: Record<string, string> };
}

const openAt = (chargeId: string, reason: string, dueInMs = 600_000) =>
  sandbox<GatewayDispute>('/_sandbox/disputes', { charge: chargeId, reason, due_in_ms: dueInMs });

const stateIs = (disputeId: string, status: string) =>
  eventually(
    () => disputes.getDispute(disputeId),
    (s) => s.status === status,
  );

describe('disputes', () => {
  it('product_not_received: shipping evidence, operator approval, submission, won', async () => {
    const { paymentId, chargeId } = await paid(uniqueKey('cust'));
    const dispute = await openAt(chargeId, 'product_not_received');
    expect(await disputes.openDispute(dispute)).toEqual({ disputeId: dispute.id, created: true });

    const gathered = await stateIs(dispute.id, 'evidence_gathered');
    expect(gathered.paymentId).toBe(paymentId);
    expect(gathered.evidence).toMatchObject({
      shipping_carrier: 'UPS',
      shipping_tracking_number: '1Z999AA10123456784',
      shipping_date: '2026-11-01',
      shipping_address: '12 St James Square, London',
      customer_name: 'Ada Lovelace',
      customer_email_address: 'ada@example.com',
      product_description: 'Analytical engine, 1 unit',
      refund_policy: 'https://shop.example/refunds',
    });
    expect(gathered.evidence.uncategorized_text).toContain('delivered 2026-11-03T15:30:00Z');
    expect(gathered.missingEvidence).toEqual([]);

    await disputes.approveEvidence(dispute.id, { approvedBy: 'ops@shop', evidence: { receipt: 'receipt #881' } });
    const submitted = await stateIs(dispute.id, 'submitted');
    expect(submitted.approvedBy).toBe('ops@shop');
    const atGateway = await gatewayDispute(dispute.id);
    expect(atGateway.status).toBe('under_review');
    expect(atGateway.evidence).toMatchObject({ shipping_carrier: 'UPS', receipt: 'receipt #881' });

    await sandbox(`/_sandbox/disputes/${dispute.id}/close`, { outcome: 'won' });
    await disputes.recordClosed(dispute, 'won'); // what the dispute.closed webhook does
    const final = await h.env.client.workflow.getHandle(disputeWorkflowId(dispute.id)).result();
    expect(final).toMatchObject({ status: 'won', outcome: 'won' });
    const history = await h.audit.disputeHistory(dispute.id);
    expect(history.map((r) => r.status)).toEqual(['needs_response', 'evidence_gathered', 'submitted', 'won']);
    expect(history.every((r) => r.paymentId === paymentId)).toBe(true);
  });

  it('fraudulent: 3DS, card checks, device and prior purchases; submitted on its own before the deadline; lost', async () => {
    const customer = uniqueKey('cust');
    const earlier = await paid(customer);
    // Refunded in full (by its refunds workflow: the v4 payment run still says succeeded): not a prior purchase.
    const refunded = await paid(customer);
    await h.client.refund(refunded.paymentId, { requestKey: uniqueKey('refund-all') });
    const { paymentId, chargeId } = await paid(customer);
    await h.client.refund(paymentId, { amount: 700, requestKey: uniqueKey('refund-part') });
    // Visibility is eventually consistent: wait until the earlier purchase is listed before gathering.
    const listed = await eventually(
      () => h.client.listPayments({ status: 'succeeded', limit: 1000 }),
      (list) => list.some((p) => p.paymentId === earlier.paymentId),
    );
    expect(listed.map((p) => p.paymentId)).toContain(earlier.paymentId);
    // And the refunded one is listed as its payment run closed, succeeded, and its refunds run as refunded: the
    // evidence must read the second to leave it out.
    for (const [workflowId, status] of [
      [paymentWorkflowId(refunded.paymentId), 'succeeded'],
      [refundsWorkflowId(refunded.paymentId), 'refunded'],
    ]) {
      const query = `WorkflowId = '${workflowId}' AND PaymentStatus = '${status}'`;
      const seen = await eventually(
        () => h.env.client.workflow.count(query),
        (c) => c.count >= 1,
      );
      expect(seen.count).toBeGreaterThanOrEqual(1);
    }
    const dueInMs = 4_000; // with a 1 s margin, the workflow submits about 3 s from now with nobody approving
    const dispute = await openAt(chargeId, 'fraudulent', dueInMs);
    const openedAt = Date.now();
    await disputes.openDispute(dispute);

    const submitted = await stateIs(dispute.id, 'submitted');
    expect(submitted.approvedBy).toBe('deadline');
    expect(Date.parse(submitted.submittedAt ?? '')).toBeLessThan(openedAt + dueInMs);
    const log = submitted.evidence.access_activity_log;
    expect(log).toContain('3-D Secure: not used');
    expect(log).toContain('CVC check: pass');
    expect(log).toContain('postal code (AVS) check: pass');
    expect(log).toContain('device: dev_9f2c');
    expect(log).toContain(`prior undisputed purchases by customer ${customer}: 1`);
    expect(log).toContain(earlier.paymentId);
    expect(log).not.toContain(refunded.paymentId);
    expect(submitted.evidence.uncategorized_text).toContain('700 already refunded');
    expect(submitted.evidence.customer_purchase_ip).toBe('203.0.113.7');
    expect((await gatewayDispute(dispute.id)).status).toBe('under_review');

    await sandbox(`/_sandbox/disputes/${dispute.id}/close`, { outcome: 'lost' });
    await disputes.recordClosed(dispute, 'lost');
    const final = await h.env.client.workflow.getHandle(disputeWorkflowId(dispute.id)).result();
    expect(final.status).toBe('lost');
    expect((await h.audit.disputeHistory(dispute.id)).map((r) => r.status).at(-1)).toBe('lost');
  });

  it('duplicate: proves from the gateway that the payment was charged once', async () => {
    const { paymentId, chargeId } = await paid(uniqueKey('cust'));
    const dispute = await openAt(chargeId, 'duplicate');
    await disputes.openDispute(dispute);
    const gathered = await stateIs(dispute.id, 'evidence_gathered');
    expect(gathered.evidence.duplicate_charge_explanation).toContain(
      `Payment ${paymentId} was charged once: 1 succeeded charge(s) (${chargeId})`,
    );
    expect(gathered.evidence.shipping_carrier).toBeUndefined(); // not this reason's evidence
  });

  it('general: the base set only, and lists what is missing for an operator', async () => {
    const { chargeId } = await paid(uniqueKey('cust'), { productDescription: 'Gift card' });
    const dispute = await openAt(chargeId, 'general');
    await disputes.openDispute(dispute);
    const gathered = await stateIs(dispute.id, 'evidence_gathered');
    expect(gathered.evidence.product_description).toBe('Gift card');
    expect(gathered.evidence.access_activity_log).toBeUndefined();
    expect(gathered.missingEvidence).toEqual(['customer_name', 'customer_email_address', 'customer_purchase_ip']);
  });

  it('starts one workflow for a repeated dispute.created', async () => {
    const { chargeId } = await paid(uniqueKey('cust'));
    const dispute = await openAt(chargeId, 'general');
    const results = await Promise.all([1, 2, 3].map(() => disputes.openDispute(dispute)));
    expect(results.filter((r) => r.created)).toHaveLength(1);
    const runs = [];
    for await (const wf of h.env.client.workflow.list({ query: `WorkflowId = '${disputeWorkflowId(dispute.id)}'` }))
      runs.push(wf);
    expect(runs).toHaveLength(1);
  });

  it('refuses an approval with an unknown evidence field, and one after submission', async () => {
    const { chargeId } = await paid(uniqueKey('cust'));
    const dispute = await openAt(chargeId, 'general');
    await disputes.openDispute(dispute);
    await expect(
      disputes.approveEvidence(dispute.id, { approvedBy: 'ops', evidence: { favourite_colour: 'blue' } }),
    ).rejects.toThrow(/favourite_colour/);
    await disputes.approveEvidence(dispute.id, { approvedBy: 'ops' });
    await stateIs(dispute.id, 'submitted');
    await expect(disputes.approveEvidence(dispute.id, { approvedBy: 'ops' })).rejects.toThrow(/submitted/);
  });
});
