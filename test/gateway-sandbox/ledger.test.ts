/** The ledger that tests use to prove nothing was charged twice, and the sandbox reset. */
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

beforeEach(() => api.request('POST', '/_sandbox/reset'));

describe('ledger', () => {
  it('lists every charge in creation order, with exactly the ledger fields', async () => {
    const keyA = newKey();
    const keyB = newKey();
    const succeeded = await api.createCharge<Charge>(cardCharge('4242424242424242', { metadata: { n: '1' } }), keyA);
    const declined = await api.createCharge<GatewayErrorBody>(
      cardCharge('4000000000000002', { currency: 'JPY' }),
      keyB,
    );

    expect(await api.ledger()).toEqual([
      {
        id: succeeded.body.id,
        idempotency_key: keyA,
        amount: 1999,
        currency: 'usd',
        status: 'succeeded',
        card_last4: '4242',
        metadata: { n: '1' },
        created: succeeded.body.created,
      },
      {
        id: declined.body.error.charge,
        idempotency_key: keyB,
        amount: 1999,
        currency: 'jpy',
        status: 'failed',
        card_last4: '0002',
        metadata: {},
        created: expect.any(Number),
      },
    ]);
  });

  it('filters by idempotency_key and by status, alone or together', async () => {
    const key = newKey();
    await api.createCharge(cardCharge('4242424242424242'), key);
    await api.createCharge(cardCharge('4000000000000002'), newKey());
    await api.createCharge(cardCharge('4000000000003220'), newKey());
    await api.createCharge(cardCharge('4242424242424242'), newKey());

    expect((await api.ledger(`?idempotency_key=${key}`)).map((charge) => charge.idempotency_key)).toEqual([key]);
    expect((await api.ledger('?status=succeeded')).map((charge) => charge.status)).toEqual(['succeeded', 'succeeded']);
    expect((await api.ledger('?status=failed')).map((charge) => charge.card_last4)).toEqual(['0002']);
    expect((await api.ledger('?status=requires_action')).map((charge) => charge.card_last4)).toEqual(['3220']);
    expect(await api.ledger(`?idempotency_key=${key}&status=failed`)).toEqual([]);
    expect(await api.ledger(`?idempotency_key=${newKey()}`)).toEqual([]);
  });

  it('rejects an unknown status or parameter', async () => {
    expect((await api.request('GET', '/_sandbox/ledger?status=refunded')).status).toBe(400);
    expect((await api.request('GET', '/_sandbox/ledger?customer=x')).status).toBe(400);
  });
});

describe('reset', () => {
  it('clears charges, idempotency keys and faults', async () => {
    const key = newKey();
    const before = await api.createCharge<Charge>(cardCharge('4242424242424242'), key);
    await api.addFault({ kind: 'status', status: 500, match: { path: '/v1/never' } });

    expect(await api.request('POST', '/_sandbox/reset')).toMatchObject({ status: 200 });
    expect(await api.ledger()).toEqual([]);
    expect((await api.request<{ faults: unknown[] }>('GET', '/_sandbox/faults')).body.faults).toEqual([]);
    expect((await api.request('GET', `/v1/charges/${before.body.id}`)).status).toBe(404);
    const after = await api.createCharge<Charge>(cardCharge('4242424242424242'), key);
    expect(after.headers.get('idempotent-replayed')).toBeNull();
    expect(after.body.id).not.toBe(before.body.id);
  });
});
