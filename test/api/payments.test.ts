/**
 * The payment routes over real HTTP against the real worker and sandbox gateway: idempotent starts (also 50 at
 * once), reads with audit history, waiting, card replacement, cancel, list and operator retry.
 */
import { randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { createApiServer } from '../../api/server';
import { paymentIdFromKey } from '../../client/payment-id';
import type { PaymentsClient } from '../../client/payments-client';
import { createLogger } from '../../logging/logger';
import { paymentWorkflowId } from '../../shared/ids';
import { ledgerFor } from '../support/gateway-admin';
import { uniqueKey } from '../support/payment-harness';
import { eventually, waitForStatus } from '../support/wait';
import {
  API_KEY,
  expectApiError,
  EXPIRED,
  listenOnLoopback,
  INSUFFICIENT_FUNDS,
  payment,
  startApiHarness,
  THREE_DS,
  VISA,
  type ApiHarness,
} from './api-harness';

let api: ApiHarness;
beforeAll(async () => {
  api = await startApiHarness();
});
afterAll(async () => {
  await api?.teardown();
});

describe('POST /payments', () => {
  it('creates with 201, replays with 200 and Idempotent-Replayed, refuses the key with another body', async () => {
    const key = uniqueKey('api-create');
    const paymentId = paymentIdFromKey(key);
    const first = await api.pay(key, payment());
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ paymentId, amount: 1999, currency: 'USD' });
    expect(first.body.status).toEqual(expect.any(String));
    expect(first.headers.get('location')).toBe(`/payments/${paymentId}`);
    expect(first.headers.get('idempotent-replayed')).toBeNull();

    const replay = await api.pay(key, payment(), '?wait=5s');
    expect(replay.status).toBe(200);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.body).toMatchObject({ paymentId, status: 'succeeded' });

    const reused = await api.pay(key, payment(VISA, 2000));
    expectApiError(reused, 422, 'idempotency_key_reused');
    expect(reused.body.error.type).toBe('idempotency_error');
    expect(await ledgerFor(api.h.gateway.url, paymentId)).toHaveLength(1);
  });

  it('50 concurrent requests with one key: one workflow, one charge, one 201, the same payment for all', async () => {
    // A read deadline no loaded machine reaches: what is tested is one answer per key, not the 503 after a deadline
    // (tested below), which 50 starts at once on a busy 2-core box can meet and which would hide the 201.
    const side = await startApiHarnessWithMaxWait(5_000, api.h.client, 60_000);
    const key = uniqueKey('api-concurrent');
    const answers = await Promise.all(Array.from({ length: 50 }, () => side.pay(key, payment(VISA, 4321), '')));
    await side.app.close();
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 200)).toHaveLength(49);
    const replayed = answers.filter((a) => a.status === 200).map((a) => a.headers.get('idempotent-replayed'));
    expect(new Set(replayed)).toEqual(new Set(['true']));
    const paymentId = paymentIdFromKey(key);
    expect(new Set(answers.map((a) => a.body.paymentId))).toEqual(new Set([paymentId]));

    const settled = await api.call('GET', `/payments/${paymentId}?wait=5s`);
    expect(settled.body.status).toBe('succeeded');
    const ledger = await ledgerFor(api.h.gateway.url, paymentId);
    expect(ledger.map((c) => [c.idempotency_key, c.status])).toEqual([[`${paymentId}:v1`, 'succeeded']]);
    const runs = await eventually(
      () => countRuns(`WorkflowId = 'payment-${paymentId}'`),
      (n) => n > 0,
    );
    expect(runs).toBe(1);
    expect(settled.body.history.filter((c: { status: string }) => c.status === 'initiated')).toHaveLength(1);
  });

  it('refuses two Idempotency-Key headers with 400 instead of joining them into a third key (also refunds)', async () => {
    const ledgerBefore = await api.ledgerSize();
    const same = uniqueKey('dup-same');
    for (const copies of [
      [uniqueKey('dup-a'), uniqueKey('dup-b')],
      [same, same],
    ]) {
      const answer = await postWithHeaderCopies('/payments', copies, payment());
      expect(answer).toMatchObject({ status: 400, body: { error: { code: 'duplicate_idempotency_key' } } });
      for (const key of [copies.join(', '), ...copies]) expect(await api.workflowExists(key)).toBe(false);
    }
    expect(await api.ledgerSize()).toBe(ledgerBefore);

    const paid = await api.pay(uniqueKey('dup-refund'), payment(), '?wait=5s');
    expect(paid.body.status).toBe('succeeded');
    const refund = await postWithHeaderCopies(`/payments/${paid.body.paymentId}/refunds`, ['rk-a', 'rk-b'], {
      amount: 100,
    });
    expect(refund).toMatchObject({ status: 400, body: { error: { code: 'duplicate_idempotency_key' } } });
    expect((await api.call('GET', `/payments/${paid.body.paymentId}`)).body).toMatchObject({
      status: 'succeeded',
      amountRefunded: 0,
      refunds: [],
    });
  });
});

describe('GET /payments/:id and ?wait', () => {
  it('?wait=5s answers with the final state as soon as a quick payment has it, with its audit history', async () => {
    const key = uniqueKey('api-wait');
    const created = await api.pay(key, payment());
    const answer = await api.call('GET', `/payments/${created.body.paymentId}?wait=5s`);
    expect(answer.status).toBe(200);
    expect(answer.ms).toBeLessThan(4_000);
    expect(answer.body).toMatchObject({
      paymentId: paymentIdFromKey(key),
      status: 'succeeded',
      amount: 1999,
      currency: 'USD',
      chargeId: expect.stringMatching(/^ch_/),
      customerMessage: expect.any(String),
      attempts: [expect.objectContaining({ attempt: 1, outcome: 'succeeded' })],
    });
    expect(answer.body.history.map((c: { status: string }) => c.status)).toEqual([
      'initiated',
      'processing',
      'succeeded',
    ]);
    expect(answer.body.history[0]).toEqual({ seq: 1, status: 'initiated', at: expect.any(String) });
    expect(answer.text).not.toContain(VISA);
    expect(answer.text).not.toMatch(/paymentMethod/);
  });

  it('a short wait on a payment parked in 3DS answers requires_action when the wait is up, not an error', async () => {
    const key = uniqueKey('api-3ds-wait');
    const answer = await api.pay(key, payment(THREE_DS), '?wait=800ms');
    expect(answer.status).toBe(201);
    expect(answer.body.status).toBe('requires_action');
    expect(answer.ms).toBeGreaterThanOrEqual(750);
    expect(answer.ms).toBeLessThan(3_000);
    // A repeat whose wait runs out too is told the payment is not its own, and a changed body is refused.
    const repeat = await api.pay(key, payment(THREE_DS), '?wait=300ms');
    expect(repeat.status).toBe(200);
    expect(repeat.headers.get('idempotent-replayed')).toBe('true');
    expect(repeat.body).toMatchObject({ paymentId: answer.body.paymentId, status: 'requires_action' });
    expectApiError(await api.pay(key, payment(THREE_DS, 2000), '?wait=300ms'), 422, 'idempotency_key_reused');
    expect(await ledgerFor(api.h.gateway.url, answer.body.paymentId)).toHaveLength(1);

    const capped = await api.call('GET', `/payments/${answer.body.paymentId}?wait=300ms`);
    expect(capped.body.status).toBe('requires_action');
    expect(capped.ms).toBeLessThan(2_000);

    const cancelled = await api.call('POST', `/payments/${answer.body.paymentId}/cancel`, {
      body: { reason: 'customer left' },
    });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ status: 'cancelled', reason: 'customer left' });
  });

  it('caps a long wait at the configured maximum', async () => {
    const short = await startApiHarnessWithMaxWait(400);
    try {
      const key = uniqueKey('api-cap');
      const answer = await short.pay(key, payment(THREE_DS), '?wait=60s');
      expect(answer.body.status).toBe('requires_action');
      expect(answer.ms).toBeLessThan(2_500);
    } finally {
      await short.app.close();
    }
  });

  it('with a wait, starts and answers in one client call: no result() and no key-claim reads after the start', async () => {
    const calls: string[] = [];
    const watched = new Proxy(api.h.client, {
      get(target, name, receiver) {
        const value: unknown = Reflect.get(target, name, receiver);
        if (typeof value !== 'function' || typeof name !== 'string') return value;
        return (...args: unknown[]) => {
          calls.push(name);
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
    // What reaches Temporal: startPayment's key-claim reads are `keyClaim` queries, after a describe.
    const service = api.h.env.client.workflowService;
    const queries = jest.spyOn(service, 'queryWorkflow');
    const describes = jest.spyOn(service, 'describeWorkflowExecution');
    const claimReads = () => queries.mock.calls.filter(([req]) => req.query?.queryType === 'keyClaim').length;
    const side = await startApiHarnessWithMaxWait(5_000, watched);
    try {
      const key = uniqueKey('api-one-call');
      const first = await side.pay(key, payment(), '?wait=5s');
      expect(first.status).toBe(201);
      expect(first.body.status).toBe('succeeded');
      expect(calls).toEqual(['startAndWait', 'getPayment']);
      expect([claimReads(), describes.mock.calls.length]).toEqual([0, 0]);

      calls.length = 0;
      const repeat = await side.pay(key, payment(), '?wait=5s');
      expect(repeat.status).toBe(200);
      expect(repeat.body.status).toBe('succeeded');
      expect(calls).toEqual(['startAndWait', 'getPayment']);
      expect([claimReads(), describes.mock.calls.length]).toEqual([0, 0]);
      expect(queries).toHaveBeenCalled(); // getPayment's: the spy sees the queries this client sends
      expect((await side.pay(key, payment(VISA, 2000), '?wait=5s')).status).toBe(422);
      expect(await ledgerFor(api.h.gateway.url, paymentIdFromKey(key))).toHaveLength(1);

      // The control: a start without a wait is startPayment's, with its describe and claim reads, which the spies see.
      calls.length = 0;
      expect((await side.pay(uniqueKey('api-no-wait'), payment(), '')).status).toBe(201);
      expect(calls).toEqual(['startPayment', 'getPayment']);
      expect(claimReads()).toBeGreaterThan(0);
      expect(describes).toHaveBeenCalled();
    } finally {
      queries.mockRestore();
      describes.mockRestore();
      await side.app.close();
    }
  });

  it('a start waiting when the server closes answers at once with the state it has', async () => {
    const side = await startApiHarnessWithMaxWait(30_000);
    const key = uniqueKey('api-close-wait');
    const pending = side.pay(key, payment(THREE_DS), '?wait=30s');
    const parked = await eventually(
      () => api.h.client.getPayment(paymentIdFromKey(key)).catch(() => undefined), // not started yet: not found
      (state) => state?.status === 'requires_action',
    );
    expect(parked?.status).toBe('requires_action');
    await side.app.close();
    const answer = await pending;
    expect(answer.status).toBe(201);
    expect(answer.body.status).toBe('requires_action');
    expect(answer.ms).toBeLessThan(10_000);
  });
});

describe('when no worker answers', () => {
  it.each([
    ['', 0],
    ['?wait=1s', 1_000],
  ])(
    'answers 503 after the read deadline (start%s) instead of hanging, and the retry with the same key gets the payment',
    async (query, waitMs) => {
      const late = api.h.delayedWorker(); // a task queue no worker polls yet
      const side = await startApiHarnessWithMaxWait(1_000, late.client, 500);
      try {
        const key = uniqueKey('api-no-worker');
        const post = () => side.pay(key, payment(), query);
        const first = await post();
        expect(first.status).toBe(503);
        expect(first.body).toEqual({
          error: { type: 'api_error', code: 'service_unavailable', message: expect.any(String) },
        });
        expect(first.headers.get('retry-after')).toBe('2');
        // The wait, then the read deadline (500 ms) for making sure of the start.
        expect(first.ms).toBeGreaterThanOrEqual(waitMs + 450);
        expect(first.ms).toBeLessThan(waitMs + 3_000);

        await late.start();
        // What a client does with a 503: retry with the same key, until a worker answers.
        const retried = await eventually(post, (a) => a.status !== 503, 10_000);
        expect(retried.status).toBe(200);
        expect(retried.body.paymentId).toBe(paymentIdFromKey(key));
      } finally {
        await side.app.close();
      }
    },
  );
});

describe('when the server closes while no worker answers', () => {
  it('a start in its wait answers 503 within the closing read deadline (2 s), not its own (20 s)', async () => {
    const late = api.h.delayedWorker(); // a task queue no worker polls
    const side = await startApiHarnessWithMaxWait(30_000, late.client, 20_000);
    const key = uniqueKey('api-close-no-worker');
    const pending = side.pay(key, payment(), '?wait=30s');
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const closedAt = Date.now();
    const closed = side.app.close();
    const answer = await pending;
    const afterClose = Date.now() - closedAt;
    await closed;
    expect(answer.status).toBe(503);
    // The wait ends on close; making sure of the start would have had 20 s: it gets what a read after close gets.
    expect(afterClose).toBeGreaterThanOrEqual(1_900);
    expect(afterClose).toBeLessThan(5_000);
    // What a 503 says: the start may still happen. It did (the server starts the run before a worker accepts).
    await late.start();
    const later = await eventually(
      () => late.client.getPayment(paymentIdFromKey(key)).catch(() => undefined),
      (p) => p?.status === 'succeeded',
    );
    expect(later?.status).toBe('succeeded');
  });
});

describe('payment actions', () => {
  it('replaces the card of a hard-declined payment: awaiting_payment_method → new card → succeeded', async () => {
    const key = uniqueKey('api-card');
    const paymentId = paymentIdFromKey(key);
    await api.pay(key, payment(EXPIRED));
    await waitForStatus(api.h.client, paymentId, 'awaiting_payment_method');
    const waiting = await api.call('GET', `/payments/${paymentId}`);
    expect(waiting.body).toMatchObject({ status: 'awaiting_payment_method', needsDifferentCard: true });

    const malformed = await api.call('POST', `/payments/${paymentId}/card`, {
      body: { paymentMethod: { type: 'card', number: '12' } },
    });
    expectApiError(malformed, 400, 'validation_failed');

    const replaced = await api.call('POST', `/payments/${paymentId}/card?wait=5s`, {
      body: { paymentMethod: { type: 'card', number: VISA } },
    });
    expect(replaced.status).toBe(200);
    expect(replaced.body).toMatchObject({ status: 'succeeded', cardVersion: 2, needsDifferentCard: false });
    const ledger = await ledgerFor(api.h.gateway.url, paymentId);
    expect(ledger.map((c) => [c.idempotency_key, c.status])).toEqual([
      [`${paymentId}:v1`, 'failed'],
      [`${paymentId}:v2`, 'succeeded'],
    ]);

    const again = await api.call('POST', `/payments/${paymentId}/card`, {
      body: { paymentMethod: { type: 'card', number: VISA } },
    });
    expect(expectApiError(again, 409, 'payment_state_conflict').message).toMatch(/not awaiting a payment method/);
  });

  it('refuses to cancel a succeeded payment with 409 and a reason', async () => {
    const key = uniqueKey('api-cancel-late');
    const created = await api.pay(key, payment(), '?wait=5s');
    expect(created.body.status).toBe('succeeded');
    const answer = await api.call('POST', `/payments/${created.body.paymentId}/cancel`);
    expect(expectApiError(answer, 409, 'payment_state_conflict').message).toMatch(/refund it instead/);
    expect(await ledgerFor(api.h.gateway.url, created.body.paymentId)).toHaveLength(1);
  });

  it('takes a 3DS result only while the payment awaits it for that charge; 409 otherwise, and no signal', async () => {
    const key = uniqueKey('api-3ds-state');
    const paymentId = paymentIdFromKey(key);
    await api.pay(key, payment(THREE_DS));
    const { chargeId } = await waitForStatus(api.h.client, paymentId, 'requires_action');

    const stale = await api.call('POST', `/payments/${paymentId}/3ds`, {
      body: { result: 'succeeded', chargeId: 'ch_someone_else' },
    });
    expect(expectApiError(stale, 409, 'payment_state_conflict').message).toMatch(/another charge/);
    expect(await signalsReceived(paymentId)).toBe(0);

    const taken = await api.call('POST', `/payments/${paymentId}/3ds?wait=5s`, {
      body: { result: 'failed', chargeId, reason: 'customer abandoned the challenge' },
    });
    expect(taken.status).toBe(202);
    expect(taken.body).toMatchObject({ status: 'cancelled', reason: 'customer abandoned the challenge' });
    expect(await signalsReceived(paymentId)).toBe(1);

    // Cancelled: the run is closed, and the payment still exists, so 409 rather than 404.
    const late = await api.call('POST', `/payments/${paymentId}/3ds`, { body: { result: 'succeeded', chargeId } });
    expect(expectApiError(late, 409, 'payment_state_conflict').message).toMatch(/payment is cancelled/);
    expect(await signalsReceived(paymentId)).toBe(1);
  });

  it('refuses a 3DS result for a succeeded (run open) or a failed (run closed) payment with 409', async () => {
    const succeeded = await api.pay(uniqueKey('api-3ds-done'), payment(), '?wait=5s');
    expect(succeeded.body.status).toBe('succeeded');
    const failed = await api.pay(uniqueKey('api-3ds-failed'), payment('4000000000009979'), '?wait=10s');
    expect(failed.body.status).toBe('failed');
    for (const { paymentId, status } of [succeeded.body, failed.body]) {
      const answer = await api.call('POST', `/payments/${paymentId}/3ds`, { body: { result: 'succeeded' } });
      expect(expectApiError(answer, 409, 'payment_state_conflict').message).toBe(
        `payment is ${status}, not awaiting a 3DS result`,
      );
      expect(await signalsReceived(paymentId)).toBe(0);
    }
  });

  it('answers 404 for an action on an unknown payment', async () => {
    const id = randomUUID();
    expectApiError(await api.call('POST', `/payments/${id}/cancel`), 404, 'payment_not_found');
    expectApiError(await api.call('POST', `/payments/${id}/retry`), 404, 'payment_not_found');
    expectApiError(await api.call('POST', `/payments/${id}/retry-now`), 404, 'payment_not_found');
    expectApiError(
      await api.call('POST', `/payments/${id}/3ds`, { body: { result: 'succeeded' } }),
      404,
      'payment_not_found',
    );
  });

  it('lists dead-lettered payments and retries one', async () => {
    const key = uniqueKey('api-dead');
    const paymentId = paymentIdFromKey(key);
    await api.pay(key, { ...payment(INSUFFICIENT_FUNDS), initiator: 'merchant' }); // retried, then dead-lettered
    await waitForStatus(api.h.client, paymentId, 'dead_lettered');
    const listed = await eventually(
      () => api.call('GET', '/payments?status=dead_lettered&limit=100'),
      (a) => a.body.data.some((p: { paymentId: string }) => p.paymentId === paymentId),
    );
    expect(listed.body.data).toContainEqual({ paymentId, status: 'dead_lettered', startTime: expect.any(String) });
    // The one place for what needs a person lists it too.
    const attention = await eventually(
      () => api.call('GET', '/payments?needs=attention&limit=100'),
      (a) => a.body.data.some((p: { paymentId: string }) => p.paymentId === paymentId),
    );
    expect(attention.body.data).toContainEqual({ paymentId, status: 'dead_lettered', startTime: expect.any(String) });

    const retried = await api.call('POST', `/payments/${paymentId}/retry`, { body: { reason: 'funds arrived' } });
    expect(retried.status).toBe(200);
    expect(retried.body.paymentId).toBe(paymentId);
    // A fresh budget: the workflow charges again (and the same card declines again).
    const charges = await eventually(
      () => ledgerFor(api.h.gateway.url, paymentId),
      (ledger) => ledger.length > 3,
    );
    expect(charges.length).toBeGreaterThan(3);
  });
});

/** A second API server over the same worker: its own maximum wait, and optionally its own PaymentsClient. */
async function startApiHarnessWithMaxWait(
  maxWaitMs: number,
  payments: PaymentsClient = api.h.client,
  readTimeoutMs?: number,
) {
  const app = createApiServer({
    payments,
    disputes: api.disputes,
    temporal: api.h.env.client,
    logger: createLogger({ level: 'silent' }),
    apiKeys: ['cap_test_key_0123456789'],
    webhookSecret: 'unused_secret_0123456789',
    webhookToleranceSeconds: 300,
    maxWaitMs,
    readTimeoutMs,
  });
  const url = await listenOnLoopback(app);
  const pay = async (key: string, body: unknown, query: string) => {
    const started = Date.now();
    const res = await fetch(`${url}/payments${query}`, {
      method: 'POST',
      headers: {
        authorization: 'Bearer cap_test_key_0123456789',
        'idempotency-key': key,
        'content-type': 'application/json',
      },
      body: JSON.stringify(body),
    });
    const answer = (await res.json()) as { status: string; paymentId: string; error?: unknown };
    return { status: res.status, headers: res.headers, body: answer, ms: Date.now() - started };
  };
  return { app, pay };
}

/** fetch joins repeated headers into one line; node:http sends each element of an array value as its own line. */
function postWithHeaderCopies(path: string, keys: string[], body: unknown): Promise<{ status: number; body: unknown }> {
  const { hostname, port } = new URL(api.url);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        hostname,
        port,
        path,
        method: 'POST',
        headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json', 'idempotency-key': keys },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as unknown }));
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

async function signalsReceived(paymentId: string): Promise<number> {
  const history = await api.h.env.client.workflow.getHandle(paymentWorkflowId(paymentId)).fetchHistory();
  return (history.events ?? []).filter((e) => e.workflowExecutionSignaledEventAttributes).length;
}

async function countRuns(query: string): Promise<number> {
  return (await api.h.env.client.workflow.count(query)).count;
}
