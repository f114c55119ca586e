/**
 * Stored cards: `POST /v1/payment_methods` keeps the number and answers a pm_ id with brand, last four and expiry
 * (never the number); a charge by that id charges the stored card; the same key and body answer the same pm_;
 * faults skip the exchange unless their path names it; the card updater changes the card under the same id.
 */
import type { GatewaySandbox } from '../../gateway-sandbox/server';
import type { Charge, PaymentMethodObject } from '../../gateway-sandbox/types';
import { newKey, SandboxClient, startSandbox } from './helpers';

let sandbox: GatewaySandbox;
let api: SandboxClient;
beforeAll(async () => {
  sandbox = await startSandbox();
  api = new SandboxClient(sandbox.url);
});
afterAll(() => sandbox.close());
beforeEach(() => api.request('DELETE', '/_sandbox/faults'));

const store = (number: string, key = newKey('pm')) =>
  api.request<PaymentMethodObject>(
    'POST',
    '/v1/payment_methods',
    { type: 'card', card: { number } },
    {
      'idempotency-key': key,
    },
  );

it('stores a card and answers its pm_ id, brand, last four and expiry, never the number; a charge by id uses it', async () => {
  const created = await store('4000000000000069');
  expect(created.status).toBe(200);
  expect(created.body).toMatchObject({
    id: expect.stringMatching(/^pm_/),
    object: 'payment_method',
    card: { brand: 'visa', last4: '0069', exp_month: expect.any(Number), exp_year: expect.any(Number) },
  });
  expect(JSON.stringify(created.body)).not.toContain('4000000000000069');
  const read = await api.request<PaymentMethodObject>('GET', `/v1/payment_methods/${created.body.id}`);
  expect(read.body).toEqual(created.body);
  // The stored card decides the outcome, as its number would: 0069 is the expired test card.
  const charge = await api.createCharge<{ error: { decline_code?: string; code?: string } }>(
    { amount: 500, currency: 'usd', payment_method: created.body.id },
    newKey('by-id'),
  );
  expect(charge.status).toBe(402);
  expect(charge.body.error.decline_code ?? charge.body.error.code).toBe('expired_card');
  const unknown = await api.createCharge({ amount: 500, currency: 'usd', payment_method: 'pm_nope' }, newKey('x'));
  expect(unknown.status).toBe(400);
});

it('answers the same pm_ for the same key and body, and refuses the key with another card', async () => {
  const key = newKey('pm-replay');
  const first = await store('4242424242424242', key);
  const again = await store('4242424242424242', key);
  expect(again.body.id).toBe(first.body.id);
  expect((await store('5555555555554444', key)).status).toBe(400);
});

it('faults skip the exchange unless their path names it', async () => {
  await api.addFault({ kind: 'status', status: 503 });
  expect((await store('4242424242424242')).status).toBe(200);
  expect((await api.createCharge({ amount: 1, currency: 'usd', payment_method: 'pm_x' }, newKey('f'))).status).toBe(
    503,
  );
  await api.request('DELETE', '/_sandbox/faults');
  await api.addFault({ kind: 'status', status: 502, match: { path: '/v1/payment_methods' } });
  expect((await store('4242424242424242')).status).toBe(502);
});

it('the card updater changes the stored card under the same id and records payment_method.automatically_updated', async () => {
  const created = await store('4000000000000069');
  const updated = await api.request<{ event_id: string; payment_method: PaymentMethodObject }>(
    'POST',
    `/_sandbox/payment_methods/${created.body.id}/automatic_update`,
    { number: '4242424242424242', exp_month: 3, exp_year: 2032 },
  );
  expect(updated.status).toBe(200);
  expect(updated.body.payment_method).toMatchObject({
    id: created.body.id,
    card: { last4: '4242', exp_month: 3, exp_year: 2032 },
  });
  const events = await api.request<{ data: Array<{ id: string; type: string; data: unknown }> }>(
    'GET',
    '/_sandbox/webhooks/events?type=payment_method.automatically_updated',
  );
  const event = events.body.data.find((e) => e.id === updated.body.event_id);
  expect(event?.data).toEqual({ object: updated.body.payment_method });
  const charge = await api.createCharge<Charge>(
    { amount: 500, currency: 'usd', payment_method: created.body.id },
    newKey('after-update'),
  );
  expect(charge.status).toBe(200);
  expect(charge.body.status).toBe('succeeded');
});
