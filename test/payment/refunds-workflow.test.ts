/**
 * Issue 14, what the UI's words mean: a payment of input version 4 closes when it is settled, and its refunds are
 * serialised by its own refunds workflow (refunds-<paymentId>), started by the first refund with update-with-start.
 * Every test asserts the gateway's ledger, not only what the client answers.
 */
import { PaymentStateError } from '../../client/errors';
import { paymentWorkflowId, refundsWorkflowId } from '../../shared/ids';
import type { RefundRecord } from '../../shared/payment-types';
import { addFault } from '../support/gateway-admin';
import { saveHistory, saveWorkflowHistory } from '../support/histories';
import { paidPayment as paidWith, refundsInLedger as ledgerRefunds } from '../support/refunds';
import { startPaymentHarness, uniqueKey, type PaymentHarness } from '../support/payment-harness';
import { eventually } from '../support/wait';

let h: PaymentHarness;
beforeAll(async () => {
  h = await startPaymentHarness();
});
afterAll(async () => {
  await h?.teardown();
});

/** Short enough to see a run close between two refunds of one test. */
const IDLE_MS = 1_500;

const paidPayment = (amount: number, client = h.client) => paidWith(client, amount, 'v4');
const refundsInLedger = (chargeId: string) => ledgerRefunds(h.gateway.url, chargeId);

const describeRun = (workflowId: string) => h.env.client.workflow.getHandle(workflowId).describe();

/** Every run the refunds workflow of this payment had, newest first. */
async function refundsRuns(paymentId: string): Promise<Array<{ runId: string; status: string }>> {
  const runs = [];
  const query = `WorkflowId = '${refundsWorkflowId(paymentId)}'`;
  for await (const wf of h.env.client.workflow.list({ query })) runs.push({ runId: wf.runId, status: wf.status.name });
  return runs;
}

async function waitClosed(workflowId: string): Promise<string> {
  const d = await eventually(
    () => describeRun(workflowId),
    (x) => x.status.name !== 'RUNNING',
    20_000,
  );
  return d.status.name;
}

describe('a payment of input version 4', () => {
  it('closes Completed when it succeeds, and says where its refunds go', async () => {
    const { paymentId } = await paidPayment(1200);
    expect(await waitClosed(paymentWorkflowId(paymentId))).toBe('COMPLETED');
    const state = await h.client.getPayment(paymentId);
    expect(state).toMatchObject({
      status: 'succeeded',
      amountRefunded: 0,
      refunds: [],
      refundsWorkflowId: refundsWorkflowId(paymentId),
    });
    expect(Date.parse(state.refundableUntil ?? '')).toBeGreaterThan(Date.now());
    const succeeded = (await h.audit.history(paymentId)).find((r) => r.status === 'succeeded');
    expect(succeeded?.metadata.refundableUntil).toBe(state.refundableUntil);
    await saveHistory(h.env, 'v4-succeeded-closes', paymentId);
  });

  it('answers ten reads at once of its closed run, each well within the query timeout', async () => {
    const { paymentId } = await paidPayment(700);
    await waitClosed(paymentWorkflowId(paymentId));
    const started = Date.now();
    const reads = await Promise.all(Array.from({ length: 10 }, () => h.client.getPayment(paymentId)));
    expect(reads.map((r) => r.status)).toEqual(Array(10).fill('succeeded'));
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('closes at once when it fails, with the failure as its answer', async () => {
    const { paymentId } = await h.client.startPayment({
      idempotencyKey: uniqueKey('v4-fraud'),
      amount: 1000,
      currency: 'USD',
      paymentMethod: { type: 'card', number: '4000000000009979' },
    });
    expect((await h.client.result(paymentId)).status).toBe('failed');
    expect(await waitClosed(paymentWorkflowId(paymentId))).toBe('FAILED'); // payment-close.test.ts: why and how
    const attempt = h.client.refund(paymentId, { amount: 100, requestKey: uniqueKey('nope') });
    await expect(attempt).rejects.toBeInstanceOf(PaymentStateError);
    await expect(attempt).rejects.toThrow(/cannot refund payment: it is failed and finished/);
    expect((await h.audit.history(paymentId)).map((r) => r.status)).toEqual(['initiated', 'processing', 'failed']);
    expect(await refundsRuns(paymentId)).toHaveLength(0); // nothing captured: no refunds run was started
  });
});

describe('the refunds workflow', () => {
  it('refunds after the payment closed: partial, then the rest, then refuses more; the run closes refunded', async () => {
    const { paymentId, chargeId } = await paidPayment(1000);
    await waitClosed(paymentWorkflowId(paymentId));
    const first = await h.client.refund(paymentId, { amount: 400, requestKey: uniqueKey('r1') });
    expect(first).toMatchObject({ status: 'succeeded', amount: 400, refundNumber: 1 });
    expect(first.gatewayKey).toBe(`refund_${chargeId}_1`);
    expect(await h.client.getPayment(paymentId)).toMatchObject({
      status: 'partially_refunded',
      amountRefunded: 400,
      customerMessage: 'Part of your payment was refunded.',
    });
    const rest = await h.client.refund(paymentId, { requestKey: uniqueKey('r2') });
    expect(rest).toMatchObject({ status: 'succeeded', amount: 600, refundNumber: 2 });

    const refunds = h.env.client.workflow.getHandle(refundsWorkflowId(paymentId));
    expect(await refunds.result()).toMatchObject({
      status: 'refunded',
      amountRefunded: 1000,
      closed: 'fully_refunded',
    });
    const more = h.client.refund(paymentId, { amount: 1, requestKey: uniqueKey('r3') });
    await expect(more).rejects.toBeInstanceOf(PaymentStateError);
    await expect(more).rejects.toThrow(/nothing left to refund/);

    const ledger = await refundsInLedger(chargeId);
    expect(ledger.map((r) => [r.idempotency_key, r.amount]).sort()).toEqual([
      [`refund_${chargeId}_1`, 400],
      [`refund_${chargeId}_2`, 600],
    ]);
    const state = await h.client.getPayment(paymentId);
    expect(state).toMatchObject({ status: 'refunded', amountRefunded: 1000 });
    expect(state.history.map((c) => c.status)).toEqual([
      'initiated',
      'processing',
      'succeeded',
      'partially_refunded',
      'refunded',
    ]);
    const rows = await h.audit.history(paymentId);
    expect(rows.map((r) => r.status)).toEqual([
      'initiated',
      'processing',
      'succeeded',
      'partially_refunded',
      'refunded',
    ]);
    expect(rows.at(-1)?.metadata).toMatchObject({ refundSeq: 2, refundAmount: 600, amountRefunded: 1000 });
    // The payment run stays Completed with its own answer: the refunds never touched it.
    expect((await describeRun(paymentWorkflowId(paymentId))).status.name).toBe('COMPLETED');
    await saveWorkflowHistory(h.env, 'refunds-workflow-partial-then-full', refundsWorkflowId(paymentId));
  });

  it('lists a partly refunded payment under partially_refunded, no longer under succeeded', async () => {
    const { paymentId } = await paidPayment(900);
    await h.client.refund(paymentId, { amount: 100, requestKey: uniqueKey('listed') });
    const has = (list: Array<{ paymentId: string }>) => list.some((p) => p.paymentId === paymentId);
    const partial = await eventually(() => h.client.listPayments({ status: 'partially_refunded', limit: 1000 }), has);
    expect(partial.find((p) => p.paymentId === paymentId)).toMatchObject({ status: 'partially_refunded' });
    const succeeded = await h.client.listPayments({ status: 'succeeded', limit: 1000 });
    expect(has(succeeded)).toBe(false);
  });

  it('refuses an over-refund with a clear error and refunds nothing', async () => {
    const { paymentId, chargeId } = await paidPayment(1000);
    const attempt = h.client.refund(paymentId, { amount: 1200, requestKey: uniqueKey('over') });
    await expect(attempt).rejects.toBeInstanceOf(PaymentStateError);
    await expect(attempt).rejects.toThrow('refund of 1200 USD exceeds the refundable remainder of 1000 USD');
    expect(await refundsInLedger(chargeId)).toHaveLength(0);
    expect(await h.client.getPayment(paymentId)).toMatchObject({ status: 'succeeded', amountRefunded: 0, refunds: [] });
    expect((await h.audit.history(paymentId)).map((r) => r.status)).toEqual(['initiated', 'processing', 'succeeded']);
  });

  it('serialises concurrent refunds: exactly three of five 30% refunds go through, one run takes them all', async () => {
    const { paymentId, chargeId } = await paidPayment(1000);
    const outcomes = await Promise.allSettled(
      [1, 2, 3, 4, 5].map((n) => h.client.refund(paymentId, { amount: 300, requestKey: uniqueKey(`c${n}`) })),
    );
    const ok = outcomes.filter((o): o is PromiseFulfilledResult<RefundRecord> => o.status === 'fulfilled');
    const refused = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    expect(ok).toHaveLength(3);
    expect(ok.map((o) => o.value.refundNumber).sort()).toEqual([1, 2, 3]);
    for (const r of refused) expect(r.reason).toBeInstanceOf(PaymentStateError);
    const ledger = await refundsInLedger(chargeId);
    expect(ledger.map((r) => r.idempotency_key).sort()).toEqual([1, 2, 3].map((n) => `refund_${chargeId}_${n}`));
    expect(ledger.reduce((sum, r) => sum + r.amount, 0)).toBe(900);
    expect((await h.client.getPayment(paymentId)).amountRefunded).toBe(900);
    expect(await refundsRuns(paymentId)).toHaveLength(1);
  });

  it('closes when idle; the next refund starts a new run that numbers on and never exceeds the capture', async () => {
    const client = h.clientWith({}, { refundsIdleMs: IDLE_MS });
    const { paymentId, chargeId } = await paidPayment(1000, client);
    const first = await client.refund(paymentId, { amount: 300, requestKey: uniqueKey('i1') });
    expect(first.refundNumber).toBe(1);
    const refunds = h.env.client.workflow.getHandle(refundsWorkflowId(paymentId));
    expect(await refunds.result()).toMatchObject({ status: 'partially_refunded', amountRefunded: 300, closed: 'idle' });

    // A new run: it reads the first refund from the audit trail.
    const second = await client.refund(paymentId, { amount: 500, requestKey: uniqueKey('i2') });
    expect(second).toMatchObject({ status: 'succeeded', refundNumber: 2, gatewayKey: `refund_${chargeId}_2` });
    const over = client.refund(paymentId, { amount: 300, requestKey: uniqueKey('i3') });
    await expect(over).rejects.toThrow('refund of 300 USD exceeds the refundable remainder of 200 USD');
    expect(await refunds.result()).toMatchObject({ amountRefunded: 800, closed: 'idle' });

    // A third run after the second closed: the rest, numbered 3.
    const rest = await client.refund(paymentId, { requestKey: uniqueKey('i4') });
    expect(rest).toMatchObject({ amount: 200, refundNumber: 3 });
    expect(await refunds.result()).toMatchObject({ status: 'refunded', closed: 'fully_refunded' });
    expect(await refundsRuns(paymentId)).toHaveLength(3);

    const ledger = await refundsInLedger(chargeId);
    expect(ledger.map((r) => [r.idempotency_key, r.amount]).sort()).toEqual([
      [`refund_${chargeId}_1`, 300],
      [`refund_${chargeId}_2`, 500],
      [`refund_${chargeId}_3`, 200],
    ]);
    const state = await client.getPayment(paymentId);
    expect(state).toMatchObject({ status: 'refunded', amountRefunded: 1000 });
    expect(state.refunds.map((r) => [r.refundNumber, r.amount, r.status])).toEqual([
      [1, 300, 'succeeded'],
      [2, 500, 'succeeded'],
      [3, 200, 'succeeded'],
    ]);
  });

  it('records a refund the gateway refused, so the next run numbers past it', async () => {
    const client = h.clientWith({}, { refundsIdleMs: IDLE_MS });
    const { paymentId, chargeId } = await paidPayment(1000, client);
    // Someone refunded 600 at the gateway directly: our refund of the full amount is refused there (400).
    const outside = await fetch(`${h.gateway.url}/v1/refunds`, {
      method: 'POST',
      headers: {
        Authorization: 'Bearer sk_test_sandbox',
        'Content-Type': 'application/json',
        'Idempotency-Key': uniqueKey('outside'),
      },
      body: JSON.stringify({ charge: chargeId, amount: 600 }),
    });
    expect(outside.status).toBeLessThan(300);
    const refused = client.refund(paymentId, { requestKey: uniqueKey('refused') });
    await expect(refused).rejects.toBeInstanceOf(PaymentStateError);
    await expect(refused).rejects.toThrow(/refund not made/);
    const row = (await h.audit.history(paymentId)).at(-1);
    expect(row).toMatchObject({ status: 'succeeded', metadata: { refundSeq: 1, refundOutcome: 'refused' } });
    await waitClosed(refundsWorkflowId(paymentId));

    const next = await client.refund(paymentId, { amount: 400, requestKey: uniqueKey('after-refusal') });
    expect(next).toMatchObject({ status: 'succeeded', amount: 400, refundNumber: 2 });
    const ours = (await refundsInLedger(chargeId)).filter((r) => r.idempotency_key.startsWith('refund_'));
    expect(ours.map((r) => [r.idempotency_key, r.amount])).toEqual([[`refund_${chargeId}_2`, 400]]);
    const state = await client.getPayment(paymentId);
    expect(state.refunds.map((r) => [r.refundNumber, r.status])).toEqual([
      [1, 'failed'],
      [2, 'succeeded'],
    ]);
    expect(state).toMatchObject({ status: 'partially_refunded', amountRefunded: 400 });
  });

  it('answers a repeated refund key with the same refund, also after the run that made it closed', async () => {
    const client = h.clientWith({}, { refundsIdleMs: IDLE_MS });
    const { paymentId, chargeId } = await paidPayment(1000, client);
    const requestKey = uniqueKey('same');
    const made = await client.requestRefund(paymentId, { amount: 250, requestKey });
    expect(made.created).toBe(true);
    await waitClosed(refundsWorkflowId(paymentId));
    const again = await client.requestRefund(paymentId, { amount: 250, requestKey });
    expect(again).toMatchObject({ created: false, refund: { refundId: made.refund.refundId, refundNumber: 1 } });
    expect(await refundsInLedger(chargeId)).toHaveLength(1);
  });

  it('refuses refunds once the window has closed, and the run closes with it', async () => {
    const short = h.clientWith({ refundWindowMs: 2_000 });
    const { paymentId, chargeId } = await paidPayment(800, short);
    await expect(short.refund(paymentId, { amount: 100, requestKey: uniqueKey('in') })).resolves.toMatchObject({
      status: 'succeeded',
    });
    const refunds = h.env.client.workflow.getHandle(refundsWorkflowId(paymentId));
    expect(await refunds.result()).toMatchObject({ closed: 'window_closed', amountRefunded: 100 });
    const late = short.refund(paymentId, { amount: 100, requestKey: uniqueKey('late') });
    await expect(late).rejects.toThrow(/refund window closed/);
    expect(await refundsInLedger(chargeId)).toHaveLength(1);
  });

  it('does not close while a refund is in flight past the idle time; a refund sent meanwhile joins that run', async () => {
    const client = h.clientWith({}, { refundsIdleMs: 300 });
    const { paymentId, chargeId } = await paidPayment(1000, client);
    await addFault(h.gateway.url, {
      kind: 'latency',
      latencyMs: 1_500,
      count: 1,
      match: { method: 'POST', path: '/v1/refunds' },
    });
    const slow = client.refund(paymentId, { amount: 100, requestKey: uniqueKey('slow') });
    await new Promise((resolve) => setTimeout(resolve, 700)); // the idle timer has fired; the refund still runs
    const meanwhile = client.refund(paymentId, { amount: 200, requestKey: uniqueKey('meanwhile') });
    const [first, second] = await Promise.all([slow, meanwhile]);
    expect([first.refundNumber, second.refundNumber]).toEqual([1, 2]);
    expect(await refundsRuns(paymentId)).toHaveLength(1);
    const ledger = await refundsInLedger(chargeId);
    expect(ledger.map((r) => [r.idempotency_key, r.amount]).sort()).toEqual([
      [`refund_${chargeId}_1`, 100],
      [`refund_${chargeId}_2`, 200],
    ]);
    const refunds = h.env.client.workflow.getHandle(refundsWorkflowId(paymentId));
    expect(await refunds.result()).toMatchObject({ amountRefunded: 300, closed: 'idle' });
  });

  it('takes a refund that arrives as the idle timer fires, in that run or the next, exactly once', async () => {
    const client = h.clientWith({}, { refundsIdleMs: 400 });
    const { paymentId, chargeId } = await paidPayment(1000, client);
    await client.refund(paymentId, { amount: 100, requestKey: uniqueKey('e1') });
    // Requests spaced around the idle time: some meet a closing run.
    const made = [];
    for (let n = 2; n <= 6; n++) {
      await new Promise((resolve) => setTimeout(resolve, 300 + n * 30));
      made.push(await client.refund(paymentId, { amount: 100, requestKey: uniqueKey(`e${n}`) }));
    }
    expect(made.map((r) => r.refundNumber)).toEqual([2, 3, 4, 5, 6]);
    const ledger = await refundsInLedger(chargeId);
    expect(ledger).toHaveLength(6);
    expect(new Set(ledger.map((r) => r.idempotency_key)).size).toBe(6);
    expect((await client.getPayment(paymentId)).amountRefunded).toBe(600);
  });
});

describe('a payment of input version 3', () => {
  it('still stays open and refunds in its own run, as before', async () => {
    const v3 = h.clientWith({}, { inputVersion: 3 });
    const { paymentId, chargeId } = await paidPayment(1000, v3);
    expect((await describeRun(paymentWorkflowId(paymentId))).status.name).toBe('RUNNING');
    const state = await v3.getPayment(paymentId);
    expect(state.refundsWorkflowId).toBeUndefined();
    const refund = await h.client.refund(paymentId, { amount: 1000, requestKey: uniqueKey('v3') });
    expect(refund).toMatchObject({ refundNumber: 1, gatewayKey: `refund_${chargeId}_1` });
    const closed = await h.env.client.workflow.getHandle(paymentWorkflowId(paymentId)).result();
    expect(closed.status).toBe('refunded');
    expect(await refundsRuns(paymentId)).toHaveLength(0);
    expect(await refundsInLedger(chargeId)).toHaveLength(1);
  });
});
