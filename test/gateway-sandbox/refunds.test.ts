/**
 * Refunds with Stripe's rules: partial and full refunds, the refunded total never above the charge (even under
 * concurrency), refusals for charges that were never paid, and the same idempotency and fault handling as charges.
 */
import type { GatewaySandbox } from '../../gateway-sandbox/server';
import type { Charge, GatewayErrorBody, LedgerResponse, Refund, RefundList } from '../../gateway-sandbox/types';
import { cardCharge, newKey, SandboxClient, startSandbox } from './helpers';

let sandbox: GatewaySandbox;
let api: SandboxClient;

beforeAll(async () => {
  sandbox = await startSandbox();
  api = new SandboxClient(sandbox.url);
});

afterAll(() => sandbox.close());

beforeEach(() => api.request('DELETE', '/_sandbox/faults'));

async function succeededCharge(amount = 1000, metadata?: Record<string, string>): Promise<Charge> {
  const response = await api.createCharge<Charge>(cardCharge('4242424242424242', { amount, metadata }), newKey());
  expect(response.body.status).toBe('succeeded');
  return response.body;
}

async function getCharge(id: string): Promise<Charge> {
  return (await api.request<Charge>('GET', `/v1/charges/${id}`)).body;
}

/** The sandbox's own record of a charge's refunds, independent of the API's answers. */
async function ledgerRefunds(chargeId: string): Promise<Refund[]> {
  return (await api.request<LedgerResponse>('GET', `/_sandbox/ledger?charge=${chargeId}`)).body.refunds;
}

describe('partial and full refunds', () => {
  it('refunds part, then the rest by default, then refuses a further refund', async () => {
    const charge = await succeededCharge(1000, { payment_id: 'pay_1' });
    const firstKey = newKey('refund');
    const before = Math.floor(Date.now() / 1000);
    const first = await api.createRefund<Refund>(
      { charge: charge.id, amount: 600, reason: 'requested_by_customer', metadata: { ticket: 't-1' } },
      firstKey,
    );
    expect(first.status).toBe(200);
    expect(first.body).toEqual({
      id: expect.stringMatching(/^re_[0-9a-f]{24}$/),
      object: 'refund',
      charge: charge.id,
      amount: 600,
      currency: 'usd',
      status: 'succeeded',
      reason: 'requested_by_customer',
      idempotency_key: firstKey,
      metadata: { ticket: 't-1' },
      created: expect.any(Number),
    });
    expect(first.body.created).toBeGreaterThanOrEqual(before);
    expect(await getCharge(charge.id)).toMatchObject({ amount_refunded: 600, refunded: false });

    // No amount: Stripe refunds what is left.
    const rest = await api.createRefund<Refund>({ charge: charge.id }, newKey('refund'));
    expect(rest.status).toBe(200);
    expect(rest.body).toMatchObject({ amount: 400, reason: null, metadata: {} });
    expect(await getCharge(charge.id)).toMatchObject({ amount_refunded: 1000, refunded: true });

    for (const body of [{ charge: charge.id }, { charge: charge.id, amount: 1 }]) {
      const refused = await api.createRefund<GatewayErrorBody>(body, newKey('refund'));
      expect(refused.status).toBe(400);
      expect(refused.body.error).toMatchObject({ type: 'invalid_request_error', code: 'charge_already_refunded' });
    }
    expect((await ledgerRefunds(charge.id)).map((refund) => refund.amount)).toEqual([600, 400]);
  });

  it('refuses more than the unrefunded remainder with amount_too_large, naming both amounts', async () => {
    const charge = await succeededCharge(1000);
    expect((await api.createRefund({ charge: charge.id, amount: 300 }, newKey())).status).toBe(200);

    const refused = await api.createRefund<GatewayErrorBody>({ charge: charge.id, amount: 800 }, newKey());
    expect(refused.status).toBe(400);
    expect(refused.body.error).toMatchObject({
      type: 'invalid_request_error',
      code: 'amount_too_large',
      param: 'amount',
    });
    expect(refused.body.error.message).toContain('(800)');
    expect(refused.body.error.message).toContain('(700)');
    expect(await getCharge(charge.id)).toMatchObject({ amount_refunded: 300, refunded: false });

    const fresh = await succeededCharge(500);
    const tooMuch = await api.createRefund<GatewayErrorBody>({ charge: fresh.id, amount: 501 }, newKey());
    expect(tooMuch.body.error.code).toBe('amount_too_large');
    expect(await ledgerRefunds(fresh.id)).toEqual([]);
  });

  it('refuses to refund a declined charge or one still awaiting 3DS', async () => {
    const declined = await api.createCharge<GatewayErrorBody>(cardCharge('4000000000000002'), newKey());
    const declinedId = String(declined.body.error.charge);
    const awaiting = await api.createCharge<Charge>(cardCharge('4000000000003220'), newKey());
    expect(awaiting.body.status).toBe('requires_action');

    for (const chargeId of [declinedId, awaiting.body.id]) {
      const refused = await api.createRefund<GatewayErrorBody>({ charge: chargeId }, newKey());
      expect(refused.status).toBe(400);
      expect(refused.body.error).toMatchObject({
        type: 'invalid_request_error',
        code: 'charge_not_refundable',
        param: 'charge',
      });
      expect(await getCharge(chargeId)).toMatchObject({ amount_refunded: 0, refunded: false });
      expect(await ledgerRefunds(chargeId)).toEqual([]);
    }
  });

  it('refunds a 3DS charge once it succeeded', async () => {
    const charge = (await api.createCharge<Charge>(cardCharge('4000000000003220', { amount: 700 }), newKey())).body;
    await api.request('POST', `/_sandbox/3ds/${charge.id}`, { result: 'succeeded' });
    expect((await api.request<Charge>('POST', `/v1/charges/${charge.id}/confirm`)).body.status).toBe('succeeded');

    const refund = await api.createRefund<Refund>({ charge: charge.id }, newKey());
    expect(refund.status).toBe(200);
    expect(refund.body.amount).toBe(700);
  });

  it('answers 404 resource_missing for an unknown charge without storing the key', async () => {
    const key = newKey();
    const missing = await api.createRefund<GatewayErrorBody>({ charge: 'ch_doesnotexist' }, key);
    expect(missing.status).toBe(404);
    expect(missing.body.error).toMatchObject({ type: 'invalid_request_error', code: 'resource_missing' });

    // Not stored: the same key with a real charge refunds instead of replaying the 404 or a mismatch.
    const charge = await succeededCharge(100);
    const refund = await api.createRefund<Refund>({ charge: charge.id }, key);
    expect(refund.status).toBe(200);
    expect(refund.headers.get('idempotent-replayed')).toBeNull();
  });
});

describe('concurrency', () => {
  it('lets 3 of 5 concurrent 30% refunds through and refuses 2: the total never exceeds the charge', async () => {
    const charge = await succeededCharge(1000);
    const responses = await Promise.all(
      Array.from({ length: 5 }, () =>
        api.createRefund<Refund & GatewayErrorBody>({ charge: charge.id, amount: 300 }, newKey()),
      ),
    );

    const statuses = responses.map((response) => response.status).sort();
    expect(statuses).toEqual([200, 200, 200, 400, 400]);
    const refused = responses.filter((response) => response.status === 400);
    expect(refused.map((response) => response.body.error.code)).toEqual(['amount_too_large', 'amount_too_large']);
    expect(await getCharge(charge.id)).toMatchObject({ amount_refunded: 900, refunded: false });
    const recorded = await ledgerRefunds(charge.id);
    expect(recorded.reduce((total, refund) => total + refund.amount, 0)).toBe(900);
  });
});

describe('idempotency', () => {
  it('replays a refund with Idempotent-Replayed: true and refunds only once', async () => {
    const charge = await succeededCharge(1000);
    const key = newKey();
    const first = await api.createRefund<Refund>({ charge: charge.id, amount: 250 }, key);
    const replay = await api.createRefund<Refund>({ amount: 250, charge: charge.id }, key);

    expect(replay.status).toBe(200);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.body).toEqual(first.body);
    expect(await getCharge(charge.id)).toMatchObject({ amount_refunded: 250 });
    expect(await ledgerRefunds(charge.id)).toHaveLength(1);
  });

  it('replays a stored refusal too, as Stripe does once the request started executing', async () => {
    const charge = await succeededCharge(100);
    const key = newKey();
    const refused = await api.createRefund<GatewayErrorBody>({ charge: charge.id, amount: 200 }, key);
    expect(refused.body.error.code).toBe('amount_too_large');
    const replay = await api.createRefund<GatewayErrorBody>({ charge: charge.id, amount: 200 }, key);
    expect(replay.status).toBe(400);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.body).toEqual(refused.body);
  });

  it('answers 400 idempotency_error for the same key with other parameters', async () => {
    const charge = await succeededCharge(1000);
    const key = newKey();
    await api.createRefund({ charge: charge.id, amount: 100 }, key);
    const reused = await api.createRefund<GatewayErrorBody>({ charge: charge.id, amount: 200 }, key);

    expect(reused.status).toBe(400);
    expect(reused.body.error.type).toBe('idempotency_error');
    expect(await getCharge(charge.id)).toMatchObject({ amount_refunded: 100 });
  });

  it('answers 409 idempotency_key_in_use while the first request is in flight', async () => {
    const charge = await succeededCharge(1000);
    const key = newKey('inflight-refund');
    await api.addFault({ kind: 'latency', latencyMs: 400, match: { path: '/v1/refunds', idempotencyKeyPrefix: key } });
    const slow = api.createRefund<Refund>({ charge: charge.id, amount: 100 }, key);
    await new Promise((resolve) => setTimeout(resolve, 100));

    const concurrent = await api.createRefund<GatewayErrorBody>({ charge: charge.id, amount: 100 }, key);
    expect(concurrent.status).toBe(409);
    expect(concurrent.body.error.code).toBe('idempotency_key_in_use');
    expect((await slow).status).toBe(200);
    expect(await ledgerRefunds(charge.id)).toHaveLength(1);
  });

  it('scopes keys per endpoint: a refund may reuse its charge key', async () => {
    const key = newKey();
    const charge = (await api.createCharge<Charge>(cardCharge('4242424242424242'), key)).body;
    const refund = await api.createRefund<Refund>({ charge: charge.id }, key);
    expect(refund.status).toBe(200);
    expect(refund.headers.get('idempotent-replayed')).toBeNull();
    expect(refund.body.idempotency_key).toBe(key);
  });

  it('lets an expired key refund again, as at Stripe after 24 h', async () => {
    const shortLived = await startSandbox({ idempotencyTtlMs: 200 });
    try {
      const client = new SandboxClient(shortLived.url);
      const charge = (await client.createCharge<Charge>(cardCharge('4242424242424242'), newKey())).body;
      const key = newKey();
      const first = await client.createRefund<Refund>({ charge: charge.id, amount: 100 }, key);
      expect(
        (await client.createRefund({ charge: charge.id, amount: 100 }, key)).headers.get('idempotent-replayed'),
      ).toBe('true');

      await new Promise((resolve) => setTimeout(resolve, 300));
      const after = await client.createRefund<Refund>({ charge: charge.id, amount: 100 }, key);
      expect(after.headers.get('idempotent-replayed')).toBeNull();
      expect(after.body.id).not.toBe(first.body.id);
      expect((await client.refundsUnder(key)).map((refund) => refund.id)).toEqual([first.body.id, after.body.id]);
    } finally {
      await shortLived.close();
    }
  });
});

describe('reading refunds', () => {
  it('finds refunds by idempotency key, by charge and by id', async () => {
    const charge = await succeededCharge(1000);
    const key = newKey();
    const first = (await api.createRefund<Refund>({ charge: charge.id, amount: 100 }, key)).body;
    const second = (await api.createRefund<Refund>({ charge: charge.id, amount: 200 }, newKey())).body;

    expect(await api.refundsUnder(key)).toEqual([first]);
    expect(await api.refundsUnder(newKey())).toEqual([]);
    const byCharge = await api.request<RefundList>('GET', `/v1/refunds?charge=${charge.id}`);
    expect(byCharge.body).toEqual({ object: 'list', data: [first, second] });
    const both = await api.request<RefundList>('GET', `/v1/refunds?charge=${charge.id}&idempotency_key=${key}`);
    expect(both.body.data).toEqual([first]);

    expect(await api.request<Refund>('GET', `/v1/refunds/${second.id}`)).toMatchObject({ status: 200, body: second });
    const missing = await api.request<GatewayErrorBody>('GET', '/v1/refunds/re_doesnotexist');
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('resource_missing');
  });

  it('shows the refunded total on every charge read', async () => {
    const key = newKey();
    const charge = (await api.createCharge<Charge>(cardCharge('4242424242424242', { amount: 800 }), key)).body;
    expect(charge).toMatchObject({ amount_refunded: 0, refunded: false });
    await api.createRefund({ charge: charge.id, amount: 800 }, newKey());

    const [listed] = await api.chargesUnder(key);
    expect(listed).toMatchObject({ id: charge.id, amount_refunded: 800, refunded: true });
    expect(await getCharge(charge.id)).toMatchObject({ amount_refunded: 800, refunded: true });
  });

  it('answers 400 parameter_missing for a list without charge or idempotency_key', async () => {
    const response = await api.request<GatewayErrorBody>('GET', '/v1/refunds');
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('parameter_missing');
    expect((await api.request('GET', '/v1/refunds?customer=cus_1')).status).toBe(400);
  });
});

describe('validation and auth', () => {
  it.each([
    ['amount 0', { amount: 0 }, 'amount'],
    ['amount 1.5', { amount: 1.5 }, 'amount'],
    ['an unknown reason', { reason: 'changed_mind' }, 'reason'],
    ['an unknown field', { refund_application_fee: true }, 'refund_application_fee'],
    ['non-string metadata', { metadata: { n: 1 } }, 'metadata[n]'],
  ])('answers 400 parameter_invalid for %s and refunds nothing', async (_label, extra, param) => {
    const charge = await succeededCharge(1000);
    const response = await api.createRefund<GatewayErrorBody>({ charge: charge.id, ...extra }, newKey());
    expect(response.status).toBe(400);
    expect(response.body.error).toMatchObject({ type: 'invalid_request_error', code: 'parameter_invalid', param });
    expect(await getCharge(charge.id)).toMatchObject({ amount_refunded: 0 });
  });

  it('answers 400 parameter_missing without a charge or without an Idempotency-Key', async () => {
    const charge = await succeededCharge(1000);
    const noCharge = await api.createRefund<GatewayErrorBody>({ amount: 100 }, newKey());
    expect(noCharge.body.error).toMatchObject({ code: 'parameter_missing', param: 'charge' });
    const noKey = await api.createRefund<GatewayErrorBody>({ charge: charge.id }, undefined);
    expect(noKey.status).toBe(400);
    expect(noKey.body.error.code).toBe('parameter_missing');
    expect(await getCharge(charge.id)).toMatchObject({ amount_refunded: 0 });
  });

  it('answers 401 without a valid API key and refunds nothing', async () => {
    const charge = await succeededCharge(1000);
    const anonymous = new SandboxClient(sandbox.url, null);
    expect((await anonymous.createRefund({ charge: charge.id }, newKey())).status).toBe(401);
    expect((await anonymous.request('GET', `/v1/refunds?charge=${charge.id}`)).status).toBe(401);
    expect(await getCharge(charge.id)).toMatchObject({ amount_refunded: 0 });
  });
});

describe('faults on refunds (match: { path: "/v1/refunds" })', () => {
  /** The client must see a dead socket, not an HTTP answer. */
  const socketError = { message: 'fetch failed', cause: expect.objectContaining({ code: 'UND_ERR_SOCKET' }) };

  it('answers an injected 503 without refunding; charges are not hit; the retry refunds', async () => {
    const charge = await succeededCharge(1000);
    await api.addFault({ kind: 'status', status: 503, match: { method: 'POST', path: '/v1/refunds' } });
    expect((await api.createCharge(cardCharge('4242424242424242'), newKey())).status).toBe(200);

    const key = newKey();
    const faulted = await api.createRefund<GatewayErrorBody>({ charge: charge.id }, key);
    expect(faulted.status).toBe(503);
    expect(faulted.body.error.type).toBe('api_error');
    expect(await ledgerRefunds(charge.id)).toEqual([]);

    const retry = await api.createRefund<Refund>({ charge: charge.id }, key);
    expect(retry.status).toBe(200);
    expect(retry.headers.get('idempotent-replayed')).toBeNull();
  });

  it('commit_then_drop refunds and drops the answer; the key lookup finds it and the retry replays it', async () => {
    const charge = await succeededCharge(1000);
    const key = newKey();
    await api.addFault({ kind: 'commit_then_drop', match: { method: 'POST', path: '/v1/refunds' } });
    await expect(api.createRefund({ charge: charge.id, amount: 400 }, key)).rejects.toMatchObject(socketError);

    const [found] = await api.refundsUnder(key);
    expect(found).toMatchObject({ charge: charge.id, amount: 400, idempotency_key: key });
    const retry = await api.createRefund<Refund>({ charge: charge.id, amount: 400 }, key);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(retry.body.id).toBe(found.id);
    expect(await getCharge(charge.id)).toMatchObject({ amount_refunded: 400 });
  });
});
