/**
 * Refunds and disputes through the HTTP API: refunds by Idempotency-Key; disputes opened and closed by the
 * sandbox gateway's own signed webhooks (card 4000000000000259 disputes itself), evidence approved over HTTP.
 */
import { disputeWorkflowId } from '../../shared/ids';
import { uniqueKey } from '../support/payment-harness';
import { eventually } from '../support/wait';
import { expectApiError, payment, startApiHarness, type ApiHarness } from './api-harness';

let api: ApiHarness;
beforeAll(async () => {
  api = await startApiHarness();
});
afterAll(async () => {
  await api?.teardown();
});

async function succeeded(card = '4242424242424242', amount = 1000) {
  const created = await api.pay(uniqueKey('cap'), payment(card, amount), '?wait=10s');
  expect(created.status).toBe(201);
  expect(created.body.status).toBe('succeeded');
  return created.body as { paymentId: string; chargeId: string };
}

const refund = (paymentId: string, key: string, body: unknown) =>
  api.call('POST', `/payments/${paymentId}/refunds`, { body, headers: { 'idempotency-key': key } });

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- sandbox test-control answers, read field by field
type SandboxBody = Record<string, any>;

async function sandbox(path: string, body?: unknown) {
  const res = await fetch(`${api.h.gateway.url}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return res.json() as Promise<SandboxBody>;
}

describe('POST /payments/:id/refunds', () => {
  it('refunds, replays by key, refuses an over-refund, and shows the history', async () => {
    const { paymentId } = await succeeded();
    const first = await refund(paymentId, 'rk-1', { amount: 250 });
    expect(first.status).toBe(201);
    expect(first.body.refund).toMatchObject({ amount: 250, status: 'succeeded', refundNumber: 1 });
    expect(first.body.refund.gatewayKey).toBeUndefined(); // internal, not published
    expect(first.body.payment).toMatchObject({ status: 'partially_refunded', amountRefunded: 250 });

    const replay = await refund(paymentId, 'rk-1', { amount: 250 });
    expect(replay.status).toBe(200);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.body.refund.refundId).toBe(first.body.refund.refundId);

    expectApiError(await refund(paymentId, 'rk-1', { amount: 300 }), 422, 'idempotency_key_reused');
    const over = await refund(paymentId, 'rk-2', { amount: 800 });
    expect(expectApiError(over, 409, 'payment_state_conflict').message).toContain(
      'exceeds the refundable remainder of 750 USD',
    );
    expectApiError(await refund(paymentId, 'rk-3', { amount: 0 }), 400, 'validation_failed');
    expectApiError(await refund(paymentId, '', { amount: 10 }), 400, 'validation_failed');

    const rest = await refund(paymentId, 'rk-4', undefined);
    expect(rest.status).toBe(201);
    expect(rest.body.payment).toMatchObject({ status: 'refunded', amountRefunded: 1000 });
    const ledger = await sandbox(`/_sandbox/ledger?charge=${rest.body.payment.chargeId}`);
    expect(ledger.refunds.map((r: { amount: number }) => r.amount).sort()).toEqual([250, 750]);

    const read = await api.call('GET', `/payments/${paymentId}`);
    expect(read.body.history.map((c: { status: string }) => c.status).slice(-3)).toEqual([
      'succeeded',
      'partially_refunded',
      'refunded',
    ]);
  });

  it('concurrent requests with one key: one 201, the others 200 replayed with the same settled refund', async () => {
    const { paymentId } = await succeeded();
    const answers = await Promise.all(Array.from({ length: 5 }, () => refund(paymentId, 'rk-race', { amount: 300 })));
    expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 200, 200, 201]);
    const replays = answers.filter((a) => a.status === 200);
    expect(replays.map((a) => a.headers.get('idempotent-replayed'))).toEqual(['true', 'true', 'true', 'true']);
    const made = answers.find((a) => a.status === 201)?.body.refund;
    expect(made).toMatchObject({ amount: 300, status: 'succeeded', refundId: expect.any(String) });
    for (const replay of replays) expect(replay.body.refund).toEqual(made);

    const read = await api.call('GET', `/payments/${paymentId}`);
    expect(read.body).toMatchObject({ amountRefunded: 300, refunds: [expect.objectContaining({ amount: 300 })] });
    expect(read.body.refunds).toHaveLength(1);
    const ledger = await sandbox(`/_sandbox/ledger?charge=${read.body.chargeId}`);
    expect(ledger.refunds.map((r: { amount: number }) => r.amount)).toEqual([300]);
  });

  it('concurrent requests with one key and other amounts: one refund, 422 for every other body', async () => {
    const { paymentId } = await succeeded();
    const amounts = [100, 200, 300, 100, 200, 300];
    const answers = await Promise.all(amounts.map((amount) => refund(paymentId, 'rk-mixed', { amount })));
    const made = answers.filter((a) => a.status === 201);
    expect(made).toHaveLength(1);
    const winner = made[0].body.refund.amount as number;
    answers.forEach((answer, i) => {
      if (answer.status === 201) expect(answer.body.refund.amount).toBe(amounts[i]);
      else if (amounts[i] === winner) expect(answer.status).toBe(200);
      else expectApiError(answer, 422, 'idempotency_key_reused');
    });
    // A reason the first request did not give is another body too.
    const withReason = await refund(paymentId, 'rk-mixed', { amount: winner, reason: 'fraudulent' });
    expectApiError(withReason, 422, 'idempotency_key_reused');
    const read = await api.call('GET', `/payments/${paymentId}`);
    expect(read.body).toMatchObject({ amountRefunded: winner });
    expect(read.body.refunds).toHaveLength(1);
  });

  it('refuses a refund of a failed payment with 409', async () => {
    const created = await api.pay(uniqueKey('fail'), payment('4000000000009979'), '?wait=10s');
    expect(created.body.status).toBe('failed');
    const answer = await refund(created.body.paymentId, 'rk-f', { amount: 100 });
    expect(expectApiError(answer, 409, 'payment_state_conflict').message).toMatch(
      /cannot refund payment: it is failed/,
    );
  });
});

describe('disputes through the gateway webhooks', () => {
  it('card 4000000000000259 disputes itself; one workflow despite a re-delivered webhook; approve; closed lost', async () => {
    const { paymentId, chargeId } = await succeeded('4000000000000259', 3000);
    const [created] = await eventually(
      async () =>
        ((await sandbox('/_sandbox/webhooks/events?type=dispute.created')).data as SandboxBody[]).filter(
          (e) => e.data.charge_id === chargeId,
        ),
      (events) => events.length === 1,
    );
    const disputeId = created.data.dispute.id as string;
    const gathered = await eventually(
      () => api.call('GET', `/disputes/${disputeId}`),
      (a) => a.status === 200 && a.body.status === 'evidence_gathered',
    );
    expect(gathered.body).toMatchObject({ paymentId, reason: 'fraudulent', amount: 3000, currency: 'USD' });
    expect(gathered.body.evidence.access_activity_log).toContain('CVC check: pass');

    // The same event again (same id, fresh signature), and a second copy from the gateway: nothing new starts.
    await sandbox('/_sandbox/webhooks/resend', { event_id: created.id });
    const runs = async () => {
      const found = [];
      for await (const wf of api.h.env.client.workflow.list({
        query: `WorkflowId = '${disputeWorkflowId(disputeId)}'`,
      }))
        found.push(wf);
      return found.length;
    };
    expect(await eventually(runs, (n) => n >= 1)).toBe(1);

    const approved = await api.call('POST', `/disputes/${disputeId}/approve`, {
      body: { approvedBy: 'ops@shop', evidence: { customer_communication: 'Customer confirmed the order by email.' } },
    });
    expect(approved.status).toBe(202);
    const submitted = await eventually(
      () => api.call('GET', `/disputes/${disputeId}`),
      (a) => a.body.status === 'submitted',
    );
    expect(submitted.body.status).toBe('submitted'); // eventually() hands back the last answer, not an error
    const atGateway = await sandbox(`/_sandbox/ledger?charge=${chargeId}`);
    expect(atGateway.disputes[0]).toMatchObject({ status: 'under_review' });
    expect(atGateway.disputes[0].evidence.customer_communication).toBe('Customer confirmed the order by email.');
    expectApiError(
      await api.call('POST', `/disputes/${disputeId}/approve`, { body: { approvedBy: 'ops' } }),
      409,
      'dispute_state_conflict',
    );

    await sandbox(`/_sandbox/disputes/${disputeId}/close`, { outcome: 'lost' });
    const closed = await eventually(
      () => api.call('GET', `/disputes/${disputeId}`),
      (a) => a.body.status === 'lost',
    );
    expect(closed.body.outcome).toBe('lost');
    // The status is in the query state one activity before its audit row: wait for the row.
    const trail = await eventually(
      () => api.h.audit.disputeHistory(disputeId),
      (rows) => rows.length >= 4,
    );
    expect(trail.map((r) => r.status)).toEqual(['needs_response', 'evidence_gathered', 'submitted', 'lost']);
    expect(await runs()).toBe(1);
  });

  it('records a dispute won, and lists disputes by status', async () => {
    const { chargeId } = await succeeded();
    const opened = await sandbox('/_sandbox/disputes', { charge: chargeId, reason: 'duplicate', due_in_ms: 600_000 });
    // eventually() hands back the last answer when time is up, so each wait is followed by its assertion.
    const gathered = await eventually(
      () => api.call('GET', `/disputes/${opened.id}`),
      (a) => a.status === 200 && a.body.status === 'evidence_gathered',
    );
    expect(gathered.body.status).toBe('evidence_gathered');
    const listed = await eventually(
      () => api.call('GET', '/disputes?status=evidence_gathered'),
      (a) => a.body.data.some((d: { disputeId: string }) => d.disputeId === opened.id),
    );
    expect(listed.status).toBe(200);
    expect(listed.body.data).toContainEqual(expect.objectContaining({ disputeId: opened.id }));
    await sandbox(`/_sandbox/disputes/${opened.id}/close`, { outcome: 'won' });
    const closed = await eventually(
      () => api.call('GET', `/disputes/${opened.id}`),
      (a) => a.body.status === 'won',
    );
    expect(closed.body).toMatchObject({ status: 'won', outcome: 'won' });
    // The audit row follows the status change by one activity: wait for it, then it must say won.
    const trail = await eventually(
      () => api.h.audit.disputeHistory(opened.id),
      (rows) => rows.at(-1)?.status === 'won',
    );
    expect(trail.map((r) => r.status).slice(-1)).toEqual(['won']);
    expectApiError(await api.call('GET', '/disputes/dp_missing'), 404, 'dispute_not_found');
    expectApiError(await api.call('GET', '/disputes?status=maybe'), 400, 'validation_failed');
  });
});
