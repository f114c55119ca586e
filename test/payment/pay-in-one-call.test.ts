/**
 * Issue 19: a payment started and answered in one call (PaymentsClient.pay, update-with-start waiting for the
 * outcome Update), idempotent like startPayment: a repeat of the key meets the same run and gets the same answer,
 * the gateway holds one charge, and a key reused with another body is refused. Its first two audit rows are written
 * together (patch `first-rows-together`), so the trail is the same as ever.
 */
import { IdempotencyKeyReusedError } from '../../client/errors';
import { paymentWorkflowId } from '../../shared/ids';
import { ledgerFor } from '../support/gateway-admin';
import { saveHistory } from '../support/histories';
import { startPaymentHarness, uniqueKey, type PaymentHarness } from '../support/payment-harness';

let h: PaymentHarness;
beforeAll(async () => {
  h = await startPaymentHarness();
});
afterAll(async () => {
  await h?.teardown();
});

const card = (number: string) => ({ type: 'card' as const, number });
const request = (label: string, amount = 1500) => ({
  idempotencyKey: uniqueKey(label),
  amount,
  currency: 'USD',
  paymentMethod: card('4242424242424242'),
});

/** The activities the payment's run scheduled, in order. */
async function scheduledActivities(paymentId: string): Promise<string[]> {
  const history = await h.env.client.workflow.getHandle(paymentWorkflowId(paymentId)).fetchHistory();
  return (history.events ?? []).flatMap((e) => e.activityTaskScheduledEventAttributes?.activityType?.name ?? []);
}

describe('pay: start and answer in one call', () => {
  it('charges once, answers succeeded, and writes the trail it always wrote', async () => {
    const paid = await h.client.pay(request('pay'));
    expect(paid).toMatchObject({ created: true, result: { status: 'succeeded', attempts: 1 } });
    expect(paid.result.chargeId).toMatch(/^ch_/);
    const ledger = await ledgerFor(h.gateway.url, paid.paymentId);
    expect(ledger.map((c) => c.id)).toEqual([paid.result.chargeId]);
    const trail = await h.audit.history(paid.paymentId);
    expect(trail.map((r) => r.status)).toEqual(['initiated', 'processing', 'succeeded']);
    expect(trail[1].metadata).toMatchObject({ gatewayKey: `${paid.paymentId}:v1`, keyVersion: 1, attempt: 0 });
    expect(trail[2].metadata).toMatchObject({ chargeId: paid.result.chargeId, attempt: 1 });
    // Three activities: the first two rows together, the charge, the succeeded row.
    expect(await scheduledActivities(paid.paymentId)).toEqual(['recordStatuses', 'chargeCard', 'recordStatus']);
    await saveHistory(h.env, 'first-rows-together-success', paid.paymentId);
  });

  it('gives concurrent repeats of a key the same answer: one run, one creator, one charge', async () => {
    const req = request('pay-twice', 800);
    const answers = await Promise.all([h.client.pay(req), h.client.pay(req), h.client.pay(req)]);
    expect(new Set(answers.map((a) => a.paymentId)).size).toBe(1);
    expect(answers.filter((a) => a.created)).toHaveLength(1);
    expect(new Set(answers.map((a) => a.result.chargeId)).size).toBe(1);
    expect(answers.map((a) => a.result.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    expect(await ledgerFor(h.gateway.url, answers[0].paymentId)).toHaveLength(1);
  });

  it('answers a repeat after the run closed with that run answer, and mixes with startPayment', async () => {
    const req = request('pay-after');
    const started = await h.client.startPayment(req);
    expect(started.created).toBe(true);
    const first = await h.client.result(started.paymentId);
    const again = await h.client.pay(req);
    expect(again).toMatchObject({ paymentId: started.paymentId, created: false, result: first });
    const later = await h.client.startPayment(req);
    expect(later).toMatchObject({ paymentId: started.paymentId, created: false });
    expect(await ledgerFor(h.gateway.url, started.paymentId)).toHaveLength(1);
  });

  it('refuses the key with another body, open or closed, and charges nothing more', async () => {
    const req = request('pay-reuse', 1000);
    // Together: whichever start the server takes first creates the run; the other meets it (USE_EXISTING) or, if
    // later, the closed run, and is refused either way.
    const settled = await Promise.allSettled([h.client.pay(req), h.client.pay({ ...req, amount: 1001 })]);
    const paid = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    const refused = settled.flatMap((s) => (s.status === 'rejected' ? [s.reason as unknown] : []));
    expect(paid).toHaveLength(1);
    expect(paid[0]).toMatchObject({ created: true, result: { status: 'succeeded' } });
    expect(refused).toEqual([expect.any(IdempotencyKeyReusedError)]);
    await expect(h.client.pay({ ...req, amount: 1002 })).rejects.toBeInstanceOf(IdempotencyKeyReusedError);
    const { paymentId } = paid[0];
    expect(await ledgerFor(h.gateway.url, paymentId)).toHaveLength(1);
  });

  it('answers a declined payment with its failure, rows written together as for a success', async () => {
    const paid = await h.client.pay({ ...request('pay-fraud'), paymentMethod: card('4000000000009979') });
    expect(paid).toMatchObject({ created: true, result: { status: 'failed' } });
    expect((await h.audit.history(paid.paymentId)).map((r) => r.status)).toEqual(['initiated', 'processing', 'failed']);
  });
});
