/**
 * Disputes: opened by the sandbox's "bank" (a test card or `/_sandbox/disputes`), answered with evidence through
 * Stripe's update-dispute call before the deadline, and decided with `/_sandbox/disputes/:id/close`.
 */
import type { GatewaySandbox } from '../../gateway-sandbox/server';
import type { Charge, Dispute, DisputeList, GatewayErrorBody, LedgerResponse } from '../../gateway-sandbox/types';
import { cardCharge, newKey, pollUntil, SandboxClient, startSandbox } from './helpers';

const SEVEN_DAYS_MS = 7 * 24 * 60 * 60 * 1000;

let sandbox: GatewaySandbox;
let api: SandboxClient;

beforeAll(async () => {
  sandbox = await startSandbox();
  api = new SandboxClient(sandbox.url);
});

afterAll(() => sandbox.close());

async function succeededCharge(metadata: Record<string, string> = {}, amount = 5000): Promise<Charge> {
  const response = await api.createCharge<Charge>(cardCharge('4242424242424242', { amount, metadata }), newKey());
  expect(response.body.status).toBe('succeeded');
  return response.body;
}

async function openDispute(body: Record<string, unknown>): Promise<Dispute> {
  const response = await api.request<Dispute>('POST', '/_sandbox/disputes', body);
  expect(response.status).toBe(201);
  return response.body;
}

async function disputedCharge(extra: Record<string, unknown> = {}): Promise<Dispute> {
  const charge = await succeededCharge();
  return openDispute({ charge: charge.id, reason: 'product_not_received', ...extra });
}

function updateDispute<T>(id: string, body: unknown, headers: Record<string, string> = {}) {
  return api.request<T>('POST', `/v1/disputes/${id}`, body, headers);
}

async function getDispute(id: string): Promise<Dispute> {
  const response = await api.request<Dispute>('GET', `/v1/disputes/${id}`);
  expect(response.status).toBe(200);
  return response.body;
}

describe('opening a dispute', () => {
  it('opens one with Stripe fields, the charge metadata and a 7-day deadline by default', async () => {
    const charge = await succeededCharge({ payment_id: 'pay_d1' }, 4200);
    const before = Date.now();
    const dispute = await openDispute({ charge: charge.id, reason: 'fraudulent' });
    const after = Date.now();

    expect(dispute).toEqual({
      id: expect.stringMatching(/^dp_[0-9a-f]{24}$/),
      object: 'dispute',
      charge: charge.id,
      amount: 4200,
      currency: 'usd',
      reason: 'fraudulent',
      status: 'needs_response',
      evidence: {},
      evidence_details: {
        due_by: Math.floor(dispute.evidence_details.due_by_ms / 1000),
        due_by_ms: expect.any(Number),
        has_evidence: false,
        past_due: false,
        submission_count: 0,
      },
      metadata: { payment_id: 'pay_d1' },
      created: expect.any(Number),
    });
    expect(dispute.evidence_details.due_by_ms).toBeGreaterThanOrEqual(before + SEVEN_DAYS_MS);
    expect(dispute.evidence_details.due_by_ms).toBeLessThanOrEqual(after + SEVEN_DAYS_MS);
    expect(await getDispute(dispute.id)).toEqual(dispute);
    const list = await api.request<DisputeList>('GET', `/v1/disputes?charge=${charge.id}`);
    expect(list.body).toEqual({ object: 'list', data: [dispute] });
  });

  it('takes an amount and a deadline', async () => {
    const charge = await succeededCharge();
    const before = Date.now();
    const dispute = await openDispute({ charge: charge.id, reason: 'duplicate', amount: 1000, due_in_ms: 60_000 });
    expect(dispute.amount).toBe(1000);
    expect(dispute.evidence_details.due_by_ms).toBeGreaterThanOrEqual(before + 60_000);
    expect(dispute.evidence_details.due_by_ms).toBeLessThanOrEqual(Date.now() + 60_000);
  });

  it('opens a fraudulent dispute on its own for test card 4000000000000259', async () => {
    const response = await api.createCharge<Charge>(cardCharge('4000000000000259', { metadata: { n: '1' } }), newKey());
    expect(response.body.status).toBe('succeeded');
    const found = await pollUntil(
      async () =>
        (await api.request<LedgerResponse>('GET', `/_sandbox/ledger?charge=${response.body.id}`)).body.disputes,
      (disputes) => disputes.length > 0,
    );
    expect(found).toEqual([
      expect.objectContaining({
        charge: response.body.id,
        reason: 'fraudulent',
        status: 'needs_response',
        amount: 1999,
        metadata: { n: '1' },
      }),
    ]);
  });

  it('waits disputeDelayMs before opening the test card dispute', async () => {
    const delayed = await startSandbox({ disputeDelayMs: 300 });
    try {
      const client = new SandboxClient(delayed.url);
      const started = Date.now();
      const charge = (await client.createCharge<Charge>(cardCharge('4000000000000259'), newKey())).body;
      const list = async () => (await client.request<DisputeList>('GET', `/v1/disputes?charge=${charge.id}`)).body.data;
      expect(await list()).toEqual([]);

      const disputes = await pollUntil(list, (found) => found.length > 0);
      expect(disputes).toHaveLength(1);
      expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    } finally {
      await delayed.close();
    }
  });

  it('refuses an unknown, unpaid or already disputed charge, and invalid bodies', async () => {
    const missing = await api.request<GatewayErrorBody>('POST', '/_sandbox/disputes', {
      charge: 'ch_nope',
      reason: 'general',
    });
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('resource_missing');

    const declined = await api.createCharge<GatewayErrorBody>(cardCharge('4000000000000002'), newKey());
    const awaiting = await api.createCharge<Charge>(cardCharge('4000000000003220'), newKey());
    for (const chargeId of [String(declined.body.error.charge), awaiting.body.id]) {
      const refused = await api.request<GatewayErrorBody>('POST', '/_sandbox/disputes', {
        charge: chargeId,
        reason: 'general',
      });
      expect(refused.status).toBe(400);
      expect(refused.body.error.code).toBe('charge_not_disputable');
    }

    const dispute = await disputedCharge();
    const twice = await api.request<GatewayErrorBody>('POST', '/_sandbox/disputes', {
      charge: dispute.charge,
      reason: 'general',
    });
    expect(twice.status).toBe(409);
    expect(twice.body.error.code).toBe('charge_already_disputed');

    const charge = await succeededCharge({}, 100);
    for (const body of [
      { charge: charge.id, reason: 'bored' },
      { charge: charge.id },
      { charge: charge.id, reason: 'general', amount: 101 },
      { charge: charge.id, reason: 'general', due_in_ms: 0 },
      { charge: charge.id, reason: 'general', colour: 'red' },
    ]) {
      const response = await api.request('POST', '/_sandbox/disputes', body);
      expect({ body, status: response.status }).toEqual({ body, status: 400 });
    }
    expect((await api.request<DisputeList>('GET', `/v1/disputes?charge=${charge.id}`)).body.data).toEqual([]);
  });
});

describe('evidence', () => {
  it('stages evidence with submit: false, then submits it', async () => {
    const dispute = await disputedCharge();
    const staged = await updateDispute<Dispute>(dispute.id, {
      evidence: { customer_name: 'Ada Lovelace', shipping_tracking_number: '1Z999' },
      submit: false,
    });
    expect(staged.status).toBe(200);
    expect(staged.body).toMatchObject({
      status: 'needs_response',
      evidence: { customer_name: 'Ada Lovelace', shipping_tracking_number: '1Z999' },
      evidence_details: { has_evidence: true, submission_count: 0, past_due: false },
    });

    const submitted = await updateDispute<Dispute>(dispute.id, {
      evidence: { shipping_carrier: 'UPS' },
      submit: true,
    });
    expect(submitted.body).toMatchObject({
      status: 'under_review',
      evidence: { customer_name: 'Ada Lovelace', shipping_tracking_number: '1Z999', shipping_carrier: 'UPS' },
      evidence_details: { has_evidence: true, submission_count: 1 },
    });
    expect(await getDispute(dispute.id)).toEqual(submitted.body);
  });

  it('submits when evidence is given without submit, as Stripe defaults submit to true', async () => {
    const dispute = await disputedCharge();
    const response = await updateDispute<Dispute>(dispute.id, { evidence: { uncategorized_text: 'Signed receipt' } });
    expect(response.body.status).toBe('under_review');
    expect(response.body.evidence_details.submission_count).toBe(1);
  });

  it('refuses further evidence once submitted, but still merges metadata', async () => {
    const dispute = await disputedCharge();
    await updateDispute(dispute.id, { evidence: { receipt: 'file_1' }, submit: true });

    for (const body of [{ evidence: { receipt: 'file_2' } }, { submit: true }]) {
      const refused = await updateDispute<GatewayErrorBody>(dispute.id, body);
      expect(refused.status).toBe(400);
      expect(refused.body.error).toMatchObject({ type: 'invalid_request_error', code: 'dispute_not_updatable' });
    }
    const stored = await getDispute(dispute.id);
    expect(stored.evidence).toEqual({ receipt: 'file_1' });
    expect(stored.evidence_details.submission_count).toBe(1);

    const tagged = await updateDispute<Dispute>(dispute.id, { metadata: { case: 'c-9' } });
    expect(tagged.status).toBe(200);
    expect(tagged.body.metadata).toEqual({ case: 'c-9' });
  });

  it('refuses an unknown evidence field with 400 and changes nothing', async () => {
    const dispute = await disputedCharge();
    const response = await updateDispute<GatewayErrorBody>(dispute.id, {
      evidence: { customer_name: 'Ada', favourite_colour: 'green' },
    });
    expect(response.status).toBe(400);
    expect(response.body.error).toMatchObject({
      type: 'invalid_request_error',
      code: 'parameter_invalid',
      param: 'evidence[favourite_colour]',
    });
    expect(await getDispute(dispute.id)).toEqual(dispute);
  });

  it('refuses to submit when there is no evidence at all', async () => {
    const dispute = await disputedCharge();
    const response = await updateDispute<GatewayErrorBody>(dispute.id, { submit: true });
    expect(response.status).toBe(400);
    expect(response.body.error).toMatchObject({ code: 'parameter_missing', param: 'evidence' });
    expect((await getDispute(dispute.id)).status).toBe('needs_response');
  });

  it('refuses evidence after the deadline with dispute_past_due, and reports past_due', async () => {
    const dispute = await disputedCharge({ due_in_ms: 150 });
    expect(dispute.evidence_details.past_due).toBe(false);
    await new Promise((resolve) =>
      setTimeout(resolve, Math.max(0, dispute.evidence_details.due_by_ms - Date.now()) + 20),
    );

    const late = await updateDispute<GatewayErrorBody>(dispute.id, { evidence: { customer_name: 'Ada' } });
    expect(late.status).toBe(400);
    expect(late.body.error).toMatchObject({ type: 'invalid_request_error', code: 'dispute_past_due' });
    const stored = await getDispute(dispute.id);
    expect(stored.evidence).toEqual({});
    expect(stored.evidence_details).toMatchObject({ past_due: true, has_evidence: false, submission_count: 0 });
  });

  it('merges metadata and removes a key given an empty value', async () => {
    const charge = await succeededCharge({ payment_id: 'pay_m', order: 'o-1' });
    const dispute = await openDispute({ charge: charge.id, reason: 'general' });
    const response = await updateDispute<Dispute>(dispute.id, { metadata: { order: '', case: 'c-1' } });
    expect(response.body.metadata).toEqual({ payment_id: 'pay_m', case: 'c-1' });
    expect(response.body.status).toBe('needs_response');
    expect((await api.request<Charge>('GET', `/v1/charges/${charge.id}`)).body.metadata).toEqual({
      payment_id: 'pay_m',
      order: 'o-1',
    });
  });

  it('honours an Idempotency-Key: replays the answer, refuses other parameters under the same key', async () => {
    const dispute = await disputedCharge();
    const key = newKey('evidence');
    const body = { evidence: { customer_email_address: 'ada@example.com' }, submit: false };
    const first = await updateDispute<Dispute>(dispute.id, body, { 'Idempotency-Key': key });
    const replay = await updateDispute<Dispute>(dispute.id, body, { 'Idempotency-Key': key });
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.body).toEqual(first.body);

    const other = await updateDispute<GatewayErrorBody>(dispute.id, { submit: true }, { 'Idempotency-Key': key });
    expect(other.status).toBe(400);
    expect(other.body.error.type).toBe('idempotency_error');
    expect((await getDispute(dispute.id)).status).toBe('needs_response');
  });

  it('answers 404 for an unknown dispute and 401 without an API key', async () => {
    const missing = await updateDispute<GatewayErrorBody>('dp_nope', { submit: true });
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('resource_missing');
    expect((await api.request('GET', '/v1/disputes/dp_nope')).status).toBe(404);

    const dispute = await disputedCharge();
    const anonymous = new SandboxClient(sandbox.url, null);
    expect((await anonymous.request('GET', `/v1/disputes/${dispute.id}`)).status).toBe(401);
    expect((await anonymous.request('POST', `/v1/disputes/${dispute.id}`, { evidence: { receipt: 'x' } })).status).toBe(
      401,
    );
    expect((await getDispute(dispute.id)).status).toBe('needs_response');
  });
});

describe('closing', () => {
  it('closes as lost from needs_response and as won from under_review; a second close is a 409', async () => {
    const lost = await disputedCharge();
    const closedLost = await api.request<Dispute>('POST', `/_sandbox/disputes/${lost.id}/close`, { outcome: 'lost' });
    expect(closedLost.status).toBe(200);
    expect(closedLost.body.status).toBe('lost');

    const won = await disputedCharge();
    await updateDispute(won.id, { evidence: { receipt: 'file_r' } });
    const closedWon = await api.request<Dispute>('POST', `/_sandbox/disputes/${won.id}/close`, { outcome: 'won' });
    expect(closedWon.body).toMatchObject({ status: 'won', evidence: { receipt: 'file_r' } });
    expect((await getDispute(won.id)).status).toBe('won');

    const again = await api.request<GatewayErrorBody>('POST', `/_sandbox/disputes/${won.id}/close`, {
      outcome: 'lost',
    });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('dispute_already_closed');
    expect((await getDispute(won.id)).status).toBe('won');

    const afterClose = await updateDispute<GatewayErrorBody>(lost.id, { evidence: { receipt: 'late' } });
    expect(afterClose.body.error.code).toBe('dispute_not_updatable');
  });

  it('answers 404 for an unknown dispute and 400 for an unknown outcome', async () => {
    expect((await api.request('POST', '/_sandbox/disputes/dp_nope/close', { outcome: 'won' })).status).toBe(404);
    const dispute = await disputedCharge();
    expect((await api.request('POST', `/_sandbox/disputes/${dispute.id}/close`, { outcome: 'draw' })).status).toBe(400);
    expect((await getDispute(dispute.id)).status).toBe('needs_response');
  });
});

describe('ledger and reset', () => {
  it('lists refunds and disputes in the ledger, filtered by ?charge=, and reset clears them', async () => {
    const charge = await succeededCharge();
    const other = await succeededCharge();
    await api.createRefund({ charge: charge.id, amount: 100 }, newKey());
    await api.createRefund({ charge: other.id, amount: 100 }, newKey());
    const dispute = await openDispute({ charge: charge.id, reason: 'general' });

    const filtered = (await api.request<LedgerResponse>('GET', `/_sandbox/ledger?charge=${charge.id}`)).body;
    expect(filtered.charges.map((entry) => entry.id)).toEqual([charge.id]);
    expect(filtered.refunds).toEqual([expect.objectContaining({ charge: charge.id, amount: 100 })]);
    expect(filtered.disputes).toEqual([dispute]);

    expect((await api.request('POST', '/_sandbox/reset')).status).toBe(200);
    const after = (await api.request<LedgerResponse>('GET', '/_sandbox/ledger')).body;
    expect(after).toEqual({ charges: [], refunds: [], disputes: [] });
    expect((await api.request('GET', `/v1/disputes/${dispute.id}`)).status).toBe(404);
    expect((await api.request<{ data: unknown[] }>('GET', '/_sandbox/webhooks/events')).body.data).toEqual([]);
  });
});
