/** Idempotency keys expire after the TTL; a key reused afterwards creates a new charge, as at Stripe after 24 h. */
import type { GatewaySandbox } from '../../gateway-sandbox/server';
import type { Charge } from '../../gateway-sandbox/types';
import { cardCharge, newKey, SandboxClient, startSandbox } from './helpers';

describe('expiry', () => {
  let shortLived: GatewaySandbox;
  let shortApi: SandboxClient;

  beforeAll(async () => {
    shortLived = await startSandbox({ idempotencyTtlMs: 200 });
    shortApi = new SandboxClient(shortLived.url);
  });

  afterAll(() => shortLived.close());

  it('replays within the TTL and creates a new charge once the key expired', async () => {
    const key = newKey();
    const first = await shortApi.createCharge<Charge>(cardCharge('4242424242424242'), key);
    const replay = await shortApi.createCharge<Charge>(cardCharge('4242424242424242'), key);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');

    await new Promise((resolve) => setTimeout(resolve, 300));
    const after = await shortApi.createCharge<Charge>(cardCharge('4242424242424242', { amount: 5 }), key);
    expect(after.status).toBe(200);
    expect(after.headers.get('idempotent-replayed')).toBeNull();
    expect(after.body.id).not.toBe(first.body.id);

    const charges = await shortApi.chargesUnder(key);
    expect(charges.map((charge) => charge.id)).toEqual([first.body.id, after.body.id]);
    expect(await shortApi.ledger(`?idempotency_key=${key}`)).toHaveLength(2);
  });
});
