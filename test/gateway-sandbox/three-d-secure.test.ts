/** The 3DS path: requires_action → the customer's result via /_sandbox/3ds → confirm. */
import type { GatewaySandbox } from '../../gateway-sandbox/server';
import type { Charge, GatewayErrorBody } from '../../gateway-sandbox/types';
import { cardCharge, newKey, SandboxClient, startSandbox } from './helpers';

let sandbox: GatewaySandbox;
let api: SandboxClient;

beforeAll(async () => {
  sandbox = await startSandbox();
  api = new SandboxClient(sandbox.url);
});

afterAll(() => sandbox.close());

async function createThreeDsCharge(metadata: Record<string, string> = {}): Promise<Charge> {
  const response = await api.createCharge<Charge>(cardCharge('4000002760003184', { metadata }), newKey('3ds'));
  expect(response.body.status).toBe('requires_action');
  return response.body;
}

function confirm<T>(chargeId: string, headers: Record<string, string> = {}) {
  return api.request<T>('POST', `/v1/charges/${chargeId}/confirm`, undefined, headers);
}

describe('confirm', () => {
  it('answers 402 authentication_required and keeps requires_action until the customer answers', async () => {
    const charge = await createThreeDsCharge();
    const response = await confirm<GatewayErrorBody>(charge.id);

    expect(response.status).toBe(402);
    expect(response.body.error).toMatchObject({
      type: 'card_error',
      code: 'card_declined',
      decline_code: 'authentication_required',
      charge: charge.id,
    });
    expect((await api.request<Charge>('GET', `/v1/charges/${charge.id}`)).body.status).toBe('requires_action');
  });

  it('succeeds the charge after a succeeded 3DS result, and stays succeeded on a second confirm', async () => {
    const charge = await createThreeDsCharge();
    const result = await api.request('POST', `/_sandbox/3ds/${charge.id}`, { result: 'succeeded' });
    expect(result).toMatchObject({ status: 200, body: { charge_id: charge.id, result: 'succeeded' } });

    const confirmed = await confirm<Charge>(charge.id);
    expect(confirmed.status).toBe(200);
    expect(confirmed.body.status).toBe('succeeded');
    expect(confirmed.body.next_action).toBeUndefined();
    expect((await confirm<Charge>(charge.id)).body.status).toBe('succeeded');
  });

  it('fails the charge after a failed 3DS result', async () => {
    const charge = await createThreeDsCharge();
    await api.request('POST', `/_sandbox/3ds/${charge.id}`, { result: 'failed' });

    const response = await confirm<GatewayErrorBody>(charge.id);
    expect(response.status).toBe(402);
    expect(response.body.error.decline_code).toBe('authentication_required');
    const stored = await api.request<Charge>('GET', `/v1/charges/${charge.id}`);
    expect(stored.body).toMatchObject({ status: 'failed', decline_code: 'authentication_required' });
    expect((await confirm<GatewayErrorBody>(charge.id)).status).toBe(402);
  });

  it('replays a confirm sent with an Idempotency-Key, including the 402 before authentication', async () => {
    const charge = await createThreeDsCharge();
    const key = newKey('confirm');
    expect((await confirm(charge.id, { 'Idempotency-Key': key })).status).toBe(402);
    await api.request('POST', `/_sandbox/3ds/${charge.id}`, { result: 'succeeded' });

    // Stripe semantics: the key's first answer is final, so a new attempt needs a new key.
    const replay = await confirm<GatewayErrorBody>(charge.id, { 'Idempotency-Key': key });
    expect(replay.status).toBe(402);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    const fresh = await confirm<Charge>(charge.id, { 'Idempotency-Key': newKey('confirm') });
    expect(fresh.body.status).toBe('succeeded');
  });

  it('answers 404 for an unknown charge and 400 for unknown parameters', async () => {
    expect((await confirm<GatewayErrorBody>('ch_unknown')).status).toBe(404);
    const charge = await createThreeDsCharge();
    const response = await api.request<GatewayErrorBody>('POST', `/v1/charges/${charge.id}/confirm`, { force: true });
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('parameter_invalid');
  });
});

describe('/_sandbox/3ds', () => {
  it('answers 404 for an unknown charge', async () => {
    const response = await api.request('POST', '/_sandbox/3ds/ch_unknown', { result: 'succeeded' });
    expect(response.status).toBe(404);
  });

  it('answers 409 for a charge not awaiting 3DS, or already answered', async () => {
    const plain = await api.createCharge<Charge>(cardCharge('4242424242424242'), newKey());
    expect((await api.request('POST', `/_sandbox/3ds/${plain.body.id}`, { result: 'succeeded' })).status).toBe(409);

    const charge = await createThreeDsCharge();
    expect((await api.request('POST', `/_sandbox/3ds/${charge.id}`, { result: 'failed' })).status).toBe(200);
    expect((await api.request('POST', `/_sandbox/3ds/${charge.id}`, { result: 'succeeded' })).status).toBe(409);
  });

  it('rejects a result other than succeeded or failed', async () => {
    const charge = await createThreeDsCharge();
    const response = await api.request<GatewayErrorBody>('POST', `/_sandbox/3ds/${charge.id}`, { result: 'maybe' });
    expect(response.status).toBe(400);
    expect(response.body.error.type).toBe('invalid_request_error');
  });
});
