/**
 * Stripe's own webhooks end to end: the real API on loopback (POST /webhooks/stripe), the real dev server, a real
 * worker running the payment and dispute workflows through the Stripe adapter. Stripe is the fixture stub
 * (test/support/stripe-stub.ts), because stripe-mock keeps no state and always answers an intent in
 * `requires_payment_method`: it cannot park a payment on 3DS. Events are Stripe's documented bodies
 * (test/fixtures/stripe-events/), signed with the official package.
 */
import { createApiServer } from '../../api/server';
import { paymentIdFromKey } from '../../client/payment-id';
import { createStripeGateway } from '../../gateways/stripe';
import { createStripeClient, intentPaymentIdReader } from '../../gateways/stripe-client';
import { createLogger } from '../../logging/logger';
import { paymentWorkflowId } from '../../shared/ids';
import { stripeEvent, stripeSignature, type StripeEventBody } from '../support/stripe-events';
import { fixture, startStripeStub, type Fixture, type StripeStub } from '../support/stripe-stub';
import { uniqueKey } from '../support/payment-harness';
import { eventually, waitForStatus } from '../support/wait';
import { expectApiError, listenOnLoopback, payment, startApiHarness, THREE_DS, type ApiHarness } from './api-harness';
import { randomUUID } from 'node:crypto';

const SECRET = 'whsec_test0123456789abcdef';
const PARKED_INTENT = 'pi_3NkP0sLkdIwHu7ix0Xr8aQ4f'; // payment-intent-requires-action
const PAID_INTENT = 'pi_3MtwBwLkdIwHu7ix28a3tqPa'; // payment-intent-succeeded

let stub: StripeStub;
let api: ApiHarness;
let stripeWebhooks: { secret: string; paymentIdOfIntent: (id: string) => Promise<string | undefined> };
beforeAll(async () => {
  stub = await startStripeStub();
  stub.on('POST /v1/payment_methods', fixture('payment-method'));
  stub.on('POST /v1/payment_intents', fixture('payment-intent-requires-action'));
  stub.on(`GET /v1/payment_intents/${PARKED_INTENT}`, fixture('payment-intent-succeeded'));
  stub.on(`POST /v1/payment_intents/${PARKED_INTENT}/cancel`, fixture('payment-intent-canceled'));
  const gateway = createStripeGateway({ secretKey: 'sk_test_stub', apiBase: stub.url, timeoutMs: 2_000 });
  const reader = createStripeClient({ secretKey: 'sk_test_stub', apiBase: stub.url, timeoutMs: 2_000 });
  stripeWebhooks = { secret: SECRET, paymentIdOfIntent: intentPaymentIdReader(reader) };
  api = await startApiHarness({ stripeWebhooks }, { harness: { adapter: { gateway, name: 'stripe' } } });
});
afterAll(async () => {
  await api?.teardown();
  await stub?.close();
});

async function send(
  event: StripeEventBody | string,
  opts: { secret?: string; timestamp?: number; signature?: string | null; url?: string } = {},
) {
  const raw = typeof event === 'string' ? event : JSON.stringify(event);
  const signature = opts.signature === undefined ? stripeSignature(raw, opts.secret ?? SECRET, opts.timestamp) : null;
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  const header = opts.signature === undefined ? signature : opts.signature;
  if (header !== null) headers['stripe-signature'] = header;
  const res = await fetch(`${opts.url ?? api.url}/webhooks/stripe`, { method: 'POST', headers, body: raw });
  const text = await res.text();
  return { status: res.status, body: JSON.parse(text), headers: res.headers, text, ms: 0 };
}

async function parkedIn3DS(label: string): Promise<string> {
  const key = uniqueKey(label);
  expect((await api.pay(key, payment(THREE_DS))).status).toBe(201);
  const paymentId = paymentIdFromKey(key);
  const state = await waitForStatus(api.h.client, paymentId, 'requires_action');
  expect(state.chargeId).toBe(PARKED_INTENT);
  return paymentId;
}

async function signalsReceived(paymentId: string): Promise<number> {
  const history = await api.h.env.client.workflow.getHandle(paymentWorkflowId(paymentId)).fetchHistory();
  return (history.events ?? []).filter((e) => e.workflowExecutionSignaledEventAttributes).length;
}

const intentOf = (paymentId: string, id = PARKED_INTENT) => ({
  id,
  metadata: { payment_id: paymentId, gateway_key: `${paymentId}:v1` },
});

let paidPaymentId: string;

describe('3DS completion by payment_intent.succeeded', () => {
  it('completes a payment parked on requires_action; a duplicate delivery changes nothing', async () => {
    const paymentId = await parkedIn3DS('stripe-wh-3ds');
    const event = stripeEvent('payment-intent-succeeded', intentOf(paymentId));

    expect(await send(event)).toMatchObject({ status: 200, body: { received: true } });
    const settled = await api.call('GET', `/payments/${paymentId}?wait=5s`);
    expect(settled.body).toMatchObject({ status: 'succeeded', chargeId: PAID_INTENT });

    const again = await send(event);
    expect(again).toMatchObject({ status: 200, body: { received: true, duplicate: true } });
    expect(await signalsReceived(paymentId)).toBe(1);
    // The intent was read once after the challenge, and no second intent was created for this payment.
    const creates = stub.requests.filter(
      (r) => r.path === '/v1/payment_intents' && r.form.get('metadata[payment_id]') === paymentId,
    );
    expect(creates.map((r) => r.idempotencyKey)).toEqual([`${paymentId}:v1`]);
    paidPaymentId = paymentId;
  });

  it('a redelivery this API instance has forgotten (another instance, a restart) is acknowledged and harmless', async () => {
    expect(paidPaymentId).toBeDefined();
    const other = createApiServer({
      payments: api.h.client,
      disputes: api.disputes,
      logger: createLogger({ level: 'silent', name: 'api-test-2' }),
      apiKeys: ['another_key_0123456789'],
      webhookSecret: 'unused_gateway_secret_0123',
      webhookToleranceSeconds: 300,
      maxWaitMs: 1_000,
      stripeWebhooks,
    });
    const url = await listenOnLoopback(other);
    try {
      const event = stripeEvent('payment-intent-succeeded', intentOf(paidPaymentId));
      // The payment's run closed when it settled: nothing to signal, acknowledged so Stripe stops retrying.
      expect(await send(event, { url })).toMatchObject({ status: 200, body: { received: true, ignored: true } });
      expect(await signalsReceived(paidPaymentId)).toBe(1);
      const payment = await api.call('GET', `/payments/${paidPaymentId}`);
      expect(payment.body).toMatchObject({ status: 'succeeded', chargeId: PAID_INTENT });
    } finally {
      await other.close();
    }
  });
});

describe('Stripe-Signature', () => {
  it('refuses a missing, wrong-secret, tampered or expired signature with 400, and the payment hears nothing', async () => {
    const paymentId = await parkedIn3DS('stripe-wh-sig');
    const event = stripeEvent('payment-intent-succeeded', intentOf(paymentId));
    const raw = JSON.stringify(event);

    expectApiError(await send(event, { signature: null }), 400, 'missing_stripe_signature');
    expectApiError(await send(event, { secret: 'whsec_someoneelse0000' }), 400, 'invalid_stripe_signature');
    const tampered = raw.replace('"amount":2000', '"amount":1');
    expect(tampered).not.toBe(raw);
    expectApiError(await send(tampered, { signature: stripeSignature(raw, SECRET) }), 400, 'invalid_stripe_signature');
    const old = Math.floor(Date.now() / 1000) - 301; // tolerance is the API's 300 s
    expectApiError(await send(event, { timestamp: old }), 400, 'invalid_stripe_signature');
    expectApiError(await send(event, { signature: 't=abc,v1=' }), 400, 'invalid_stripe_signature');
    expectApiError(await send('{"id": "evt_x", "type":'), 400, 'invalid_json'); // signed, but not JSON

    expect(await signalsReceived(paymentId)).toBe(0);
    expect((await api.call('GET', `/payments/${paymentId}`)).body).toMatchObject({ status: 'requires_action' });
    // The refused event id was not remembered: the genuine delivery is still handled.
    expect(await send(event)).toMatchObject({ status: 200, body: { received: true } });
    expect((await api.call('GET', `/payments/${paymentId}?wait=5s`)).body).toMatchObject({ status: 'succeeded' });
  });
});

describe('failed and cancelled intents', () => {
  it('payment_failed with payment_intent_authentication_failure ends the parked payment cancelled, intent cancelled', async () => {
    const paymentId = await parkedIn3DS('stripe-wh-3ds-fail');
    const event = stripeEvent('payment-intent-authentication-failed', intentOf(paymentId));
    expect(await send(event)).toMatchObject({ status: 200, body: { received: true } });
    const settled = await api.call('GET', `/payments/${paymentId}?wait=5s`);
    expect(settled.body).toMatchObject({ status: 'cancelled' });
    const history = await api.h.audit.history(paymentId);
    expect(history.at(-1)).toMatchObject({
      status: 'cancelled',
      metadata: expect.objectContaining({ reason: 'payment_intent_authentication_failure', gatewayCharge: 'canceled' }),
    });
    const cancels = stub.requests.filter((r) => r.path === `/v1/payment_intents/${PARKED_INTENT}/cancel`);
    expect(cancels.map((r) => r.idempotencyKey)).toContain(`${paymentId}:v1:cancel`);
  });

  it('payment_intent.canceled at Stripe ends the parked payment cancelled', async () => {
    const paymentId = await parkedIn3DS('stripe-wh-canceled');
    expect(await send(stripeEvent('payment-intent-canceled', intentOf(paymentId)))).toMatchObject({ status: 200 });
    expect((await api.call('GET', `/payments/${paymentId}?wait=5s`)).body).toMatchObject({ status: 'cancelled' });
    const last = (await api.h.audit.history(paymentId)).at(-1);
    expect(last?.metadata).toMatchObject({ reason: 'payment_intent_canceled' });
  });

  it('requires_action is acknowledged and changes nothing (the create answer already parked it)', async () => {
    const paymentId = await parkedIn3DS('stripe-wh-ra');
    const answer = await send(stripeEvent('payment-intent-requires-action', intentOf(paymentId)));
    expect(answer).toMatchObject({ status: 200, body: { received: true, ignored: true } });
    expect(await signalsReceived(paymentId)).toBe(0);
    expect((await api.call('POST', `/payments/${paymentId}/cancel`, { body: {} })).status).toBe(200);
  });
});

describe('events that name nothing of ours', () => {
  it('acknowledges an unknown type, an unknown payment and an intent without payment_id with 200', async () => {
    expect(await send(stripeEvent('customer-created'))).toMatchObject({
      status: 200,
      body: { received: true, ignored: true },
    });
    const stranger = stripeEvent('payment-intent-succeeded', intentOf(randomUUID()));
    expect(await send(stranger)).toMatchObject({ status: 200, body: { received: true, ignored: true } });
    const foreign = stripeEvent('payment-intent-succeeded', { metadata: {} });
    expect(await send(foreign)).toMatchObject({ status: 200, body: { received: true, ignored: true } });
  });

  it('a signed event whose object is not a PaymentIntent is a 400 invalid_event (Stripe retries it)', async () => {
    const broken = stripeEvent('payment-intent-succeeded', { id: 42 });
    expectApiError(await send(broken), 400, 'invalid_event');
  });
});

describe('disputes', () => {
  const withPayment = (base: Fixture, paymentId: string): Fixture => ({
    ...base,
    body: { ...(base.body as object), metadata: { payment_id: paymentId, gateway_key: `${paymentId}:v1` } },
  });

  it('charge.dispute.created starts the dispute workflow for the payment named by the intent; updated and closed follow', async () => {
    expect(paidPaymentId).toBeDefined();
    stub.on(`GET /v1/payment_intents/${PAID_INTENT}`, withPayment(fixture('payment-intent-succeeded'), paidPaymentId));
    const disputeId = `du_${randomUUID().replace(/-/g, '')}`;
    // Due in a week: nothing is submitted on its own during the test.
    const dispute = {
      id: disputeId,
      payment_intent: PAID_INTENT,
      evidence_details: { due_by: Math.floor(Date.now() / 1000) + 7 * 86_400, has_evidence: false },
    };
    const created = stripeEvent('charge-dispute-created', dispute);
    expect(await send(created)).toMatchObject({ status: 200, body: { received: true } });
    const state = await eventually(
      () => api.disputes.getDispute(disputeId),
      (s) => s.status === 'evidence_gathered',
    );
    expect(state).toMatchObject({
      disputeId,
      chargeId: PAID_INTENT,
      paymentId: paidPaymentId,
      amount: 1000,
      currency: 'USD',
      reason: 'fraudulent',
    });
    expect(await send(created)).toMatchObject({ status: 200, body: { duplicate: true } });

    // An update of a dispute already running starts nothing new.
    const updated = await send(stripeEvent('charge-dispute-updated', dispute));
    expect(updated).toMatchObject({ status: 200, body: { received: true, ignored: true } });

    expect(await send(stripeEvent('charge-dispute-closed-won', dispute))).toMatchObject({
      status: 200,
      body: { received: true },
    });
    const closed = await eventually(
      () => api.disputes.getDispute(disputeId),
      (s) => s.status === 'won',
    );
    expect(closed.outcome).toBe('won');
  });

  it('charge.dispute.updated for a dispute whose created event was lost starts its workflow', async () => {
    const disputeId = `du_${randomUUID().replace(/-/g, '')}`;
    const dispute = {
      id: disputeId,
      payment_intent: PAID_INTENT,
      evidence_details: { due_by: Math.floor(Date.now() / 1000) + 7 * 86_400 },
    };
    expect(await send(stripeEvent('charge-dispute-updated', dispute))).toMatchObject({
      status: 200,
      body: { received: true },
    });
    const state = await eventually(
      () => api.disputes.getDispute(disputeId),
      (s) => s.status === 'evidence_gathered',
    );
    expect(state).toMatchObject({ chargeId: PAID_INTENT, paymentId: paidPaymentId });
  });
});

describe('payment_method.automatically_updated', () => {
  it('becomes the cardUpdated signal: a payment awaiting a new card is charged again on the updated card', async () => {
    stub.on(
      'POST /v1/payment_intents',
      fixture('card-declined-insufficient-funds'),
      fixture('payment-intent-succeeded'),
    );
    try {
      const key = uniqueKey('stripe-wh-card');
      const pay = await api.pay(key, {
        amount: 2000,
        currency: 'USD',
        paymentMethod: { type: 'token', token: 'tok_visa' },
      });
      expect({ status: pay.status, text: pay.text }).toMatchObject({ status: 201 });
      const paymentId = paymentIdFromKey(key);
      await waitForStatus(api.h.client, paymentId, 'awaiting_payment_method');

      const event = stripeEvent('payment-method-automatically-updated', { metadata: { payment_id: paymentId } });
      expect(await send(event)).toMatchObject({ status: 200, body: { received: true } });
      const settled = await api.call('GET', `/payments/${paymentId}?wait=5s`);
      expect(settled.body).toMatchObject({ status: 'succeeded', chargeId: PAID_INTENT });
      const creates = stub.requests.filter(
        (r) => r.path === '/v1/payment_intents' && r.form.get('metadata[payment_id]') === paymentId,
      );
      expect(creates.map((r) => r.form.get('payment_method'))).toEqual([
        expect.stringMatching(/^pm_/),
        'pm_1Q0PsIJvEtkwdCNYMSaVuRz6',
      ]);
    } finally {
      stub.on('POST /v1/payment_intents', fixture('payment-intent-requires-action'));
    }
  });
});

describe('a decline after a passed challenge', () => {
  it('payment_failed with a card decline: the run reads the intent and classifies its decline (stolen_card: failed)', async () => {
    // The intent as Stripe answers after the decline: last_payment_error decline_code stolen_card.
    stub.on(`GET /v1/payment_intents/${PARKED_INTENT}`, fixture('payment-intent-declined'));
    try {
      const paymentId = await parkedIn3DS('stripe-wh-declined');
      const event = stripeEvent('payment-intent-declined-after-authentication', intentOf(paymentId));
      expect(await send(event)).toMatchObject({ status: 200, body: { received: true } });
      const settled = await api.call('GET', `/payments/${paymentId}?wait=5s`);
      expect(settled.body).toMatchObject({ status: 'failed', needsDifferentCard: false });
      const state = await api.h.client.getPayment(paymentId);
      expect(state.attempts.map((a) => [a.gatewayKey, a.outcome, a.errorCode])).toEqual([
        [`${paymentId}:v1`, 'requires_action', undefined],
        [`${paymentId}:v1:confirm`, 'declined', 'stolen_card'],
      ]);
    } finally {
      stub.on(`GET /v1/payment_intents/${PARKED_INTENT}`, fixture('payment-intent-succeeded'));
    }
  });
});
