/**
 * Issue 19: a payment started and answered in one call (PaymentsClient.pay, update-with-start waiting for the
 * outcome Update), idempotent like startPayment: a repeat of the key meets the same run and gets the same answer,
 * the gateway holds one charge, and a key reused with another body is refused. Its key claim, first rows, charge
 * and `succeeded` row go in one activity (input version 6), and the trail is the same as ever; a payment
 * started with startPayment keeps its separate writes (patch `first-rows-together`), its claim read at once.
 */
import { IdempotencyKeyReusedError } from '../../client/errors';
import { paymentIdFromKey } from '../../client/payment-id';
import { paymentWorkflowId } from '../../shared/ids';
import { THREE_DS } from '../support/cards';
import { addFaultsFor, clearFaults, customerCompletes3DS, ledgerFor } from '../support/gateway-admin';
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

const card = (number: string) => ({ type: 'card' as const, number });
const request = (label: string, amount = 1500) => ({
  idempotencyKey: uniqueKey(label),
  amount,
  currency: 'USD',
  paymentMethod: card('4242424242424242'),
});

async function events(paymentId: string) {
  return (await h.env.client.workflow.getHandle(paymentWorkflowId(paymentId)).fetchHistory()).events ?? [];
}

/** The activities the payment's run scheduled, in order. */
async function scheduledActivities(paymentId: string): Promise<string[]> {
  return (await events(paymentId)).flatMap((e) => e.activityTaskScheduledEventAttributes?.activityType?.name ?? []);
}

/** How many workflow tasks the run completed. */
async function workflowTasks(paymentId: string): Promise<number> {
  return (await events(paymentId)).filter((e) => e.workflowTaskCompletedEventAttributes).length;
}

describe('pay: start and answer in one call', () => {
  it('charges once, answers succeeded, and writes the trail it always wrote, in one activity', async () => {
    // The run echoes its creator with the answer: pay() asks the server nothing else (no describe).
    const service = h.env.client.workflowService;
    const spy = jest.spyOn(service, 'describeWorkflowExecution');
    let describes = -1;
    const paid = await h.client.pay({ ...request('pay'), customerId: 'cus_one_call' }).finally(() => {
      describes = spy.mock.calls.length; // read before mockRestore, which clears the calls
      spy.mockRestore();
    });
    expect(describes).toBe(0);
    expect(paid).toMatchObject({ created: true, result: { status: 'succeeded', attempts: 1 } });
    // The echo is not part of the answer, in pay() nor in result().
    expect(Object.keys(paid.result)).not.toContain('startedWith');
    expect(Object.keys(await h.client.result(paid.paymentId))).not.toContain('startedWith');
    expect(paid.result.chargeId).toMatch(/^ch_/);
    expect(paid.result.gateway).toEqual(expect.any(String));
    const ledger = await ledgerFor(h.gateway.url, paid.paymentId);
    expect(ledger.map((c) => c.id)).toEqual([paid.result.chargeId]);
    const trail = await h.audit.history(paid.paymentId);
    expect(trail.map((r) => r.status)).toEqual(['initiated', 'processing', 'succeeded']);
    expect(trail[1].metadata).toMatchObject({ gatewayKey: `${paid.paymentId}:v1`, keyVersion: 1, attempt: 0 });
    const state = await h.client.getPayment(paid.paymentId);
    expect(state.refundableUntil).toBeDefined();
    expect(trail[2].metadata).toMatchObject({
      chargeId: paid.result.chargeId,
      gateway: paid.result.gateway,
      customerId: 'cus_one_call',
      attempt: 1,
      amount: 1500,
      currency: 'USD',
      // The refunds workflow reads the window from this row: it is the one the payment states.
      refundableUntil: state.refundableUntil,
    });
    // One activity (claim, first rows, charge, succeeded row) and two workflow tasks, as a one-activity workflow.
    expect(await scheduledActivities(paid.paymentId)).toEqual(['chargeWithTrail']);
    expect(await workflowTasks(paid.paymentId)).toBe(2);
    // Version 6: no patch markers (each costs two events and a visibility write), one upsert per status change.
    const history = await events(paid.paymentId);
    expect(history.filter((e) => e.markerRecordedEventAttributes)).toEqual([]);
    const upserts = history.flatMap((e) => {
      const fields = e.upsertWorkflowSearchAttributesEventAttributes?.searchAttributes?.indexedFields;
      return fields ? [Object.keys(fields).sort()] : [];
    });
    expect(upserts).toEqual([['PaymentStatus'], ['PaymentGateway', 'PaymentStatus']]);
    expect(history).toHaveLength(15);
    // The window the row states is the one refunds are taken in.
    const refund = await h.client.refund(paid.paymentId, {
      amount: 500,
      requestKey: 'refund-1',
      reason: 'requested_by_customer',
    });
    expect(refund).toMatchObject({ amount: 500, status: 'succeeded' });
    await saveHistory(h.env, 'trail-with-charge-success', paid.paymentId);
  });

  it('retries a 503 inside the one activity without a second row or a second charge', async () => {
    const req = request('pay-503');
    const paymentId = paymentIdFromKey(req.idempotencyKey);
    await addFaultsFor(h.gateway.url, paymentId, [
      { kind: 'status', status: 503, count: 1, match: { method: 'POST', path: '/v1/charges' } },
      { kind: 'commit_then_drop', count: 1, match: { method: 'POST', path: '/v1/charges' } },
    ]);
    const paid = await h.client.pay(req);
    expect(paid.result).toMatchObject({ status: 'succeeded', attempts: 1 });
    expect(await ledgerFor(h.gateway.url, paymentId)).toHaveLength(1);
    const trail = await h.audit.history(paymentId);
    expect(trail.map((r) => r.status)).toEqual(['initiated', 'processing', 'succeeded']);
    const started = (await events(paymentId)).flatMap((e) => e.activityTaskStartedEventAttributes?.attempt ?? []);
    expect(started).toEqual([3]); // the 503, the dropped answer, then the check that found the charge
    await saveHistory(h.env, 'trail-with-charge-retried', paymentId);
  });

  it('answers a second start while the one activity retries a gateway outage: its claim is committed', async () => {
    // A long claim wait: a second start that could only wait for the activity to end would answer pending at 20 s.
    const gatewayRetry = {
      initialIntervalMs: 300,
      maximumIntervalMs: 300,
      backoffCoefficient: 1,
      maximumAttempts: 200,
    };
    const client = h.clientWith({ gatewayRetry }, { keyClaimWaitMs: 20_000 });
    const req = request('pay-outage');
    const paymentId = paymentIdFromKey(req.idempotencyKey);
    await addFaultsFor(h.gateway.url, paymentId, [
      { kind: 'status', status: 503, count: 1_000, match: { method: 'POST', path: '/v1/charges' } },
    ]);
    const paying = client.pay(req);
    const charging = async () => {
      const run = await h.env.client.workflow
        .getHandle(paymentWorkflowId(paymentId))
        .describe()
        .catch(() => undefined);
      return run?.raw.pendingActivities?.find((a) => a.activityType?.name === 'chargeWithTrail');
    };
    // The outage is under way: the activity that claims and charges is on a later attempt, still pending.
    expect((await eventually(charging, (a) => (a?.attempt ?? 0) >= 3))?.attempt).toBeGreaterThanOrEqual(3);
    const asked = Date.now();
    expect(await client.startPayment(req)).toEqual({
      paymentId,
      workflowId: paymentWorkflowId(paymentId),
      created: false,
    });
    await expect(client.startPayment({ ...req, amount: 1501 })).rejects.toBeInstanceOf(IdempotencyKeyReusedError);
    expect(Date.now() - asked).toBeLessThan(8_000);
    // Answered from the committed claim while the charge still retried, not from a charge that had ended.
    expect(await charging()).toBeDefined();
    expect(await ledgerFor(h.gateway.url, paymentId)).toEqual([]);
    await clearFaults(h.gateway.url);
    expect((await paying).result).toMatchObject({ status: 'succeeded' });
    expect(await ledgerFor(h.gateway.url, paymentId)).toHaveLength(1);
    expect((await h.audit.history(paymentId)).map((r) => r.status)).toEqual(['initiated', 'processing', 'succeeded']);
    await saveHistory(h.env, 'trail-with-charge-outage', paymentId);
  });

  it('parks a 3DS payment as ever: the one call answers once the customer authenticated', async () => {
    const req = { ...request('pay-3ds'), paymentMethod: THREE_DS };
    const answer = h.client.pay(req);
    const paymentId = paymentIdFromKey(req.idempotencyKey);
    // The call exchanges the card before it starts the run: wait until there is a run to read.
    const started = () =>
      h.client.getPayment(paymentId).then(
        () => true,
        () => false,
      );
    expect(await eventually(started, (found) => found)).toBe(true);
    const { chargeId } = await waitForStatus(h.client, paymentId, 'requires_action');
    await customerCompletes3DS(h.gateway.url, chargeId as string, 'succeeded');
    await h.client.complete3DS(paymentId, { result: 'succeeded', chargeId: chargeId as string });
    expect((await answer).result).toMatchObject({ status: 'succeeded', chargeId });
    expect((await h.audit.history(paymentId)).map((r) => r.status)).toEqual([
      'initiated',
      'processing',
      'requires_action',
      'processing',
      'succeeded',
    ]);
    expect(await ledgerFor(h.gateway.url, paymentId)).toHaveLength(1);
    expect((await scheduledActivities(paymentId))[0]).toBe('chargeWithTrail');
    await saveHistory(h.env, 'trail-with-charge-3ds', paymentId);
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
    // startPayment's caller reads the claim at once: its run claims before it charges, in an activity of its own.
    expect(await scheduledActivities(started.paymentId)).toEqual(['recordStatuses', 'chargeCard', 'recordStatus']);
    await saveHistory(h.env, 'v6-start-payment-success', started.paymentId);
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
    expect(await scheduledActivities(paid.paymentId)).toEqual(['chargeWithTrail', 'recordStatus']);
    await saveHistory(h.env, 'trail-with-charge-declined', paid.paymentId);
  });
});

describe('startAndWait: start and answer in one call, for a bounded wait (the API with ?wait=)', () => {
  it('answers in the call when the answer comes in time; its run claims and writes as startPayment runs do', async () => {
    const req = request('wait-quick');
    const spy = jest.spyOn(h.env.client.workflowService, 'describeWorkflowExecution');
    let describes = -1;
    const paid = await h.client.startAndWait(req, { ms: 15_000 }).finally(() => {
      describes = spy.mock.calls.length;
      spy.mockRestore();
    });
    expect(describes).toBe(0); // the answer echoes the creator, as pay()'s does
    expect(paid).toMatchObject({ created: true, result: { status: 'succeeded', attempts: 1 } });
    expect(await scheduledActivities(paid.paymentId)).toEqual(['recordStatuses', 'chargeCard', 'recordStatus']);
    const again = await h.client.startAndWait(req, { ms: 15_000 });
    expect(again).toMatchObject({ paymentId: paid.paymentId, created: false, result: paid.result });
    await expect(h.client.startAndWait({ ...req, amount: 1501 }, { ms: 15_000 })).rejects.toBeInstanceOf(
      IdempotencyKeyReusedError,
    );
    expect(await ledgerFor(h.gateway.url, paid.paymentId)).toHaveLength(1);
  });

  it('when the wait runs out (3DS), answers the start without a result; repeats are no creators', async () => {
    const req = { ...request('wait-3ds'), paymentMethod: THREE_DS };
    const t0 = Date.now();
    const first = await h.client.startAndWait(req, { ms: 800 });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(750);
    expect(first).toEqual({
      paymentId: paymentIdFromKey(req.idempotencyKey),
      workflowId: expect.any(String),
      created: true,
    });
    const { chargeId } = await waitForStatus(h.client, first.paymentId, 'requires_action');
    const repeat = await h.client.startAndWait(req, { ms: 200 });
    expect(repeat).toEqual({ ...first, created: false });
    // Refused while the charge waits for the customer: the run claimed its key before it charged.
    await expect(h.client.startAndWait({ ...req, amount: 1499 }, { ms: 200 })).rejects.toBeInstanceOf(
      IdempotencyKeyReusedError,
    );
    // With a long wait too, refused once the run it met has not answered for a while, not when the wait is over.
    const t1 = Date.now();
    await expect(h.client.startAndWait({ ...req, amount: 1498 }, { ms: 20_000 })).rejects.toBeInstanceOf(
      IdempotencyKeyReusedError,
    );
    expect(Date.now() - t1).toBeGreaterThanOrEqual(1_900);
    expect(Date.now() - t1).toBeLessThan(10_000);
    // The same body past that check waits on as before, and is no creator: the check read one describe at 2 s (the
    // run's memo is this body), and the start was made sure of (a second describe) when the wait ran out.
    const service = h.env.client.workflowService;
    const describe = service.describeWorkflowExecution.bind(service);
    const describedAt: number[] = [];
    const spy = jest.spyOn(service, 'describeWorkflowExecution').mockImplementation(((req: never) => {
      describedAt.push(Date.now());
      return describe(req);
    }) as never);
    const t2 = Date.now();
    try {
      expect(await h.client.startAndWait(req, { ms: 3_000 })).toEqual({ ...first, created: false });
    } finally {
      spy.mockRestore();
    }
    expect(describedAt.map((at) => at - t2)).toEqual([expect.any(Number), expect.any(Number)]);
    expect(describedAt[0] - t2).toBeGreaterThanOrEqual(1_900);
    expect(describedAt[0] - t2).toBeLessThan(2_900);
    expect(describedAt[1] - t2).toBeGreaterThanOrEqual(2_950);
    await customerCompletes3DS(h.gateway.url, chargeId as string, 'succeeded');
    await h.client.complete3DS(first.paymentId, { result: 'succeeded', chargeId: chargeId as string });
    const answered = await h.client.startAndWait(req, { ms: 15_000 });
    expect(answered).toMatchObject({ created: false, result: { status: 'succeeded', chargeId } });
    expect(await ledgerFor(h.gateway.url, first.paymentId)).toHaveLength(1);
  });

  it('with a wait cancelled before it began (the API closing), still starts the payment, once, and says it created it', async () => {
    const req = request('wait-none');
    const started = await h.client.startAndWait(req, { ms: 10_000, signal: AbortSignal.abort() });
    expect(started).toEqual({
      paymentId: paymentIdFromKey(req.idempotencyKey),
      workflowId: expect.any(String),
      created: true,
    });
    expect(await h.client.result(started.paymentId)).toMatchObject({ status: 'succeeded' });
    expect(await h.client.startAndWait(req, { ms: 10_000, signal: AbortSignal.abort() })).toEqual({
      ...started,
      created: false,
    });
    expect(await ledgerFor(h.gateway.url, started.paymentId)).toHaveLength(1);
  });
});

describe('startAndWait when the run ends without an answer', () => {
  it('a run terminated during the wait: the call answers the start, as startPayment would, without a result', async () => {
    const req = { ...request('wait-terminated'), paymentMethod: THREE_DS };
    const paymentId = paymentIdFromKey(req.idempotencyKey);
    const answer = h.client.startAndWait(req, { ms: 20_000 });
    await eventually(
      () => h.client.getPayment(paymentId).catch(() => undefined),
      (state) => state?.status === 'requires_action',
    );
    await h.env.client.workflow.getHandle(paymentWorkflowId(paymentId)).terminate('operator test');
    const t0 = Date.now();
    await expect(answer).resolves.toEqual({ paymentId, workflowId: paymentWorkflowId(paymentId), created: true });
    expect(Date.now() - t0).toBeLessThan(10_000);
  });
});
