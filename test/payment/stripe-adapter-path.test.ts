/**
 * The payment workflow and the production activities, unchanged, through the Stripe adapter: a real worker on
 * the real dev server, Stripe answered by the fixture stub (test/support/stripe-stub.ts). Proves that the
 * activities know only the port: success, 3DS, a decline, and a 409 in flight that a retry resolves by replay.
 */
import { createStripeGateway } from '../../gateways/stripe';
import { fixture, startStripeStub, type StripeStub } from '../support/stripe-stub';
import { startPaymentHarness, uniqueKey, type PaymentHarness } from '../support/payment-harness';
import { waitForStatus } from '../support/wait';

let stub: StripeStub;
let h: PaymentHarness;
beforeAll(async () => {
  stub = await startStripeStub();
  stub.on('POST /v1/payment_methods', fixture('payment-method'));
  const gateway = createStripeGateway({ secretKey: 'sk_test_stub', apiBase: stub.url, timeoutMs: 2_000 });
  h = await startPaymentHarness({ adapter: { gateway, name: 'stripe' } });
});
afterAll(async () => {
  await h?.teardown();
  await stub?.close();
});

const VISA = { type: 'token' as const, token: 'tok_visa' };
const creates = (paymentId: string) =>
  stub.requests.filter((r) => r.path === '/v1/payment_intents' && r.form.get('metadata[payment_id]') === paymentId);

it('a payment succeeds on one PaymentIntent under <paymentId>:v1, recorded as Stripe’s', async () => {
  stub.on('POST /v1/payment_intents', fixture('payment-intent-succeeded'));
  const { paymentId } = await h.client.startPayment({
    idempotencyKey: uniqueKey('stripe-ok'),
    amount: 2000,
    currency: 'USD',
    paymentMethod: VISA,
  });
  const result = await h.client.result(paymentId);
  expect(result).toMatchObject({ status: 'succeeded', chargeId: 'pi_3MtwBwLkdIwHu7ix28a3tqPa' });
  const sent = creates(paymentId);
  expect(sent.map((r) => r.idempotencyKey)).toEqual([`${paymentId}:v1`]);
  expect(sent[0].form.get('metadata[gateway_key]')).toBe(`${paymentId}:v1`);
  const history = (await h.audit.history(paymentId)).map((row) => row.status);
  expect(history).toEqual(['initiated', 'processing', 'succeeded']);
});

it('requires_action waits for 3DS; after the challenge the intent is read and the payment succeeds', async () => {
  stub.on('POST /v1/payment_intents', fixture('payment-intent-requires-action'));
  stub.on('GET /v1/payment_intents/pi_3NkP0sLkdIwHu7ix0Xr8aQ4f', fixture('payment-intent-succeeded'));
  const { paymentId } = await h.client.startPayment({
    idempotencyKey: uniqueKey('stripe-3ds'),
    amount: 4200,
    currency: 'EUR',
    paymentMethod: { type: 'card', number: '4000000000003220' },
  });
  const waiting = await waitForStatus(h.client, paymentId, 'requires_action');
  expect(waiting.chargeId).toBe('pi_3NkP0sLkdIwHu7ix0Xr8aQ4f');
  expect(creates(paymentId)[0].form.get('payment_method')).toBe('pm_card_threeDSecure2Required');
  await h.client.complete3DS(paymentId, { result: 'succeeded', chargeId: 'pi_3NkP0sLkdIwHu7ix0Xr8aQ4f' });
  expect(await h.client.result(paymentId)).toMatchObject({ status: 'succeeded' });
});

it('a hard decline from last_payment_error asks for another card, charging nothing', async () => {
  stub.on('POST /v1/payment_intents', fixture('card-declined-insufficient-funds'));
  const { paymentId } = await h.client.startPayment({
    idempotencyKey: uniqueKey('stripe-nsf'),
    amount: 1999,
    currency: 'USD',
    paymentMethod: VISA,
  });
  // Customer-initiated insufficient funds is hard (seed 002): the activity classified it with the initiator.
  const state = await waitForStatus(h.client, paymentId, 'awaiting_payment_method');
  expect(state.needsDifferentCard).toBe(true);
  expect(creates(paymentId)).toHaveLength(1);
  await h.client.cancel(paymentId);
});

it('a 409 in flight is retried by Temporal, and the replay under the same key answers: one intent', async () => {
  stub.on('POST /v1/payment_intents', fixture('idempotency-key-in-use'), fixture('payment-intent-succeeded'));
  const { paymentId } = await h.client.startPayment({
    idempotencyKey: uniqueKey('stripe-409'),
    amount: 2000,
    currency: 'USD',
    paymentMethod: VISA,
  });
  expect(await h.client.result(paymentId)).toMatchObject({ status: 'succeeded' });
  const sent = creates(paymentId);
  expect(sent.map((r) => r.idempotencyKey)).toEqual([`${paymentId}:v1`, `${paymentId}:v1`]);
  // Nothing but replays of the one key: the resend check is Stripe's own.
  expect(stub.requests.filter((r) => r.path.includes('/search'))).toHaveLength(0);
});
