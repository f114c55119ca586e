/**
 * The Stripe adapter's behaviour, unit level: Stripe's documented answers (test/fixtures/stripe/, source in each)
 * served by a loopback stub, so declines, 3DS, idempotent replays, 409s, refunds and disputes are exercised with
 * the real `stripe` package on the wire. The request side is checked against Stripe's schema by stripe-contract.
 */
import { ApplicationFailure } from '@temporalio/common';
import { createStripeGateway } from '../../gateways/stripe';
import type { Gateway } from '../../gateways/port';
import { ErrorType, NON_RETRYABLE_ERROR_TYPES } from '../../shared/errors';
import { fixture, list, startStripeStub, type StripeStub } from '../support/stripe-stub';

const VISA = { type: 'token' as const, token: 'pm_card_visa' };
const charge = (over: Partial<Parameters<Gateway['createCharge']>[0]> = {}) => ({
  paymentId: 'pay_1',
  amount: 2000,
  currency: 'USD',
  paymentMethod: VISA,
  idempotencyKey: 'pay_1:v1',
  ...over,
});

let stub: StripeStub;
let gateway: Gateway;

beforeEach(async () => {
  stub = await startStripeStub();
  gateway = createStripeGateway({ secretKey: 'sk_test_stub', apiBase: stub.url, timeoutMs: 2_000 });
});
afterEach(() => stub.close());

async function failureOf(p: Promise<unknown>): Promise<ApplicationFailure> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof ApplicationFailure)) throw new Error(`expected an ApplicationFailure, got ${String(err)}`);
  return err;
}

const posts = (path: string) => stub.requests.filter((r) => r.method === 'POST' && r.path === path);

describe('create and confirm', () => {
  it('sends one confirmed PaymentIntent under our key, with our ids in metadata, and maps the success', async () => {
    stub.on('POST /v1/payment_intents', fixture('payment-intent-succeeded'));
    const result = await gateway.createCharge(charge());
    expect(result).toEqual({
      id: 'pi_3MtwBwLkdIwHu7ix28a3tqPa',
      status: 'succeeded',
      amount: 2000,
      currency: 'USD',
      declineCode: undefined,
      created: 1680800504,
      card: { last4: '4242', brand: 'visa', cvcCheck: 'pass', postalCodeCheck: 'pass' },
      threeDSecure: undefined,
    });
    const [sent] = posts('/v1/payment_intents');
    expect(sent.idempotencyKey).toBe('pay_1:v1');
    expect(sent.form.get('confirm')).toBe('true');
    expect(sent.form.get('amount')).toBe('2000');
    expect(sent.form.get('currency')).toBe('usd');
    expect(sent.form.get('payment_method')).toBe('pm_card_visa');
    expect(sent.form.get('metadata[payment_id]')).toBe('pay_1');
    expect(sent.form.get('metadata[gateway_key]')).toBe('pay_1:v1');
    expect(sent.form.get('off_session')).toBeNull();
  });

  it('asks for 3DS and marks a merchant-initiated charge off-session when told to', async () => {
    stub.on('POST /v1/payment_intents', fixture('payment-intent-succeeded'));
    await gateway.createCharge(charge({ offSession: true }));
    await gateway.createCharge(charge({ idempotencyKey: 'pay_1:v1:r1', requestThreeDS: true }));
    const [offSession, stepUp] = posts('/v1/payment_intents');
    expect(offSession.form.get('off_session')).toBe('true');
    expect(stepUp.form.get('payment_method_options[card][request_three_d_secure]')).toBe('any');
  });

  it('turns requires_action into our 3DS wait', async () => {
    stub.on('POST /v1/payment_intents', fixture('payment-intent-requires-action'));
    const result = await gateway.createCharge(charge({ currency: 'EUR', amount: 4200 }));
    expect(result).toMatchObject({ id: 'pi_3NkP0sLkdIwHu7ix0Xr8aQ4f', status: 'requires_action', currency: 'EUR' });
  });

  it('maps a card_error to our decline, with the decline code and the PaymentIntent id', async () => {
    stub.on('POST /v1/payment_intents', fixture('card-declined-insufficient-funds'));
    const err = await failureOf(gateway.createCharge(charge()));
    // Classified without an initiator (as release 0.1 did: soft); the charge activity classifies it again with
    // the payment's initiator, as it does for the sandbox.
    expect(err.type).toBe(ErrorType.CardDeclinedRetryable);
    expect(err.details?.[0]).toMatchObject({ code: 'insufficient_funds', chargeId: 'pi_3NdeclLkdIwHu7ix1aB2cD3e' });
  });

  it('takes the error code when a card_error has no decline_code', async () => {
    stub.on('POST /v1/payment_intents', fixture('card-expired'));
    const err = await failureOf(gateway.createCharge(charge()));
    expect(err.type).toBe(ErrorType.CardDeclinedHard);
    expect(err.details?.[0]).toMatchObject({ code: 'expired_card', chargeId: 'pi_3NexpiLkdIwHu7ix0zZ9yY8x' });
  });

  it('refuses a raw card number that is not a Stripe test card, before any request', async () => {
    const err = await failureOf(
      gateway.createCharge(charge({ paymentMethod: { type: 'card', number: '4111111111111111' } })),
    );
    expect(err.type).toBe(ErrorType.InvalidInput);
    expect(stub.requests).toHaveLength(0);
  });

  it('makes a card token into a PaymentMethod under a key of its own, the same on a retry', async () => {
    stub.on('POST /v1/payment_methods', fixture('payment-method'));
    stub.on('POST /v1/payment_intents', fixture('payment-intent-succeeded'));
    const withToken = charge({ paymentMethod: { type: 'token', token: 'tok_visa' } });
    await gateway.createCharge(withToken);
    await gateway.createCharge({ ...withToken, earlierRequest: 'recent' });
    const methods = posts('/v1/payment_methods');
    expect(methods.map((r) => [r.idempotencyKey, r.form.get('card[token]'), r.replayed])).toEqual([
      ['pay_1:v1:payment_method', 'tok_visa', false],
      ['pay_1:v1:payment_method', 'tok_visa', true],
    ]);
    const intents = posts('/v1/payment_intents');
    expect(intents.map((r) => r.form.get('payment_method'))).toEqual([
      'pm_1Q0PsIJvEtkwdCNYMSaVuRz6',
      'pm_1Q0PsIJvEtkwdCNYMSaVuRz6',
    ]);
    expect(intents[1].replayed).toBe(true);
  });

  it("sends a sandbox test card as Stripe's test PaymentMethod for the same behaviour", async () => {
    stub.on('POST /v1/payment_intents', fixture('payment-intent-requires-action'));
    await gateway.createCharge(charge({ paymentMethod: { type: 'card', number: '4000000000003220' } }));
    expect(posts('/v1/payment_intents')[0].form.get('payment_method')).toBe('pm_card_threeDSecure2Required');
  });
});

describe('check before resend', () => {
  it('a recent retry replays the key: Stripe answers with the first result and nothing is charged twice', async () => {
    stub.on('POST /v1/payment_intents', fixture('payment-intent-succeeded'), fixture('api-error'));
    const first = await gateway.createCharge(charge());
    const again = await gateway.createCharge(charge({ earlierRequest: 'recent' }));
    expect(again).toEqual(first);
    const sent = posts('/v1/payment_intents');
    expect(sent.map((r) => [r.idempotencyKey, r.replayed])).toEqual([
      ['pay_1:v1', false],
      ['pay_1:v1', true],
    ]);
    // A replay needs nothing else: no search, no list.
    expect(stub.requests.filter((r) => r.method === 'GET')).toHaveLength(0);
  });

  it('a replayed decline is the same decline', async () => {
    stub.on('POST /v1/payment_intents', fixture('card-declined-insufficient-funds'));
    await failureOf(gateway.createCharge(charge()));
    const err = await failureOf(gateway.createCharge(charge({ earlierRequest: 'recent' })));
    expect(err.type).toBe(ErrorType.CardDeclinedRetryable);
    expect(err.details?.[0]).toMatchObject({ code: 'insufficient_funds', chargeId: 'pi_3NdeclLkdIwHu7ix1aB2cD3e' });
    expect(posts('/v1/payment_intents')[1].replayed).toBe(true);
  });

  it('409 idempotency_key_in_use is "in flight": retryable, and the retry is answered by the first result', async () => {
    stub.on('POST /v1/payment_intents', fixture('idempotency-key-in-use'), fixture('payment-intent-succeeded'));
    const err = await failureOf(gateway.createCharge(charge()));
    expect(err.type).toBe(ErrorType.GatewayIdempotencyInUse);
    expect(NON_RETRYABLE_ERROR_TYPES).not.toContain(err.type);
    expect((await gateway.createCharge(charge({ earlierRequest: 'recent' }))).status).toBe('succeeded');
  });

  it('a resend that may come after the 24 h key window finds the intent by metadata and sends nothing', async () => {
    const intent = fixture('payment-intent-succeeded').body;
    stub.on('GET /v1/payment_intents/search', list([intent], '/v1/payment_intents/search', true));
    stub.on('GET /v1/payment_intents', list([], '/v1/payment_intents'));
    const found = await gateway.createCharge(charge({ earlierRequest: 'any_time' }));
    expect(found).toMatchObject({ id: 'pi_3MtwBwLkdIwHu7ix28a3tqPa', status: 'succeeded' });
    expect(posts('/v1/payment_intents')).toHaveLength(0);
    const [search] = stub.requests.filter((r) => r.path === '/v1/payment_intents/search');
    expect(search.query.get('query')).toBe("metadata['gateway_key']:'pay_1:v1'");
  });

  it('an intent too new for the search is found by listing the recent ones', async () => {
    const intent = fixture('payment-intent-requires-action').body;
    const other = { ...(fixture('payment-intent-succeeded').body as object), metadata: { gateway_key: 'other:v1' } };
    stub.on('GET /v1/payment_intents/search', list([], '/v1/payment_intents/search', true));
    stub.on('GET /v1/payment_intents', list([other, intent], '/v1/payment_intents'));
    const r = await gateway.findCharge({ paymentId: 'pay_3ds', idempotencyKey: 'pay_3ds:v1' });
    expect(r).toMatchObject({ found: true, charge: { id: 'pi_3NkP0sLkdIwHu7ix0Xr8aQ4f', status: 'requires_action' } });
    const [listed] = stub.requests.filter((r) => r.method === 'GET' && r.path === '/v1/payment_intents');
    const since = Number(listed.query.get('created[gte]'));
    expect(Date.now() / 1000 - since).toBeGreaterThanOrEqual(60 * 60 - 5);
    expect(Date.now() / 1000 - since).toBeLessThanOrEqual(60 * 60 + 5);
  });

  it('nothing under the key in the search nor among recent intents is "no charge", and then it is sent', async () => {
    stub.on('GET /v1/payment_intents/search', list([], '/v1/payment_intents/search', true));
    stub.on('GET /v1/payment_intents', list([], '/v1/payment_intents'));
    stub.on('POST /v1/payment_intents', fixture('payment-intent-succeeded'));
    expect(await gateway.findCharge({ paymentId: 'pay_1', idempotencyKey: 'pay_1:v1' })).toEqual({
      found: false,
      inFlight: false,
    });
    expect((await gateway.createCharge(charge({ earlierRequest: 'any_time' }))).status).toBe('succeeded');
    expect(posts('/v1/payment_intents')).toHaveLength(1);
  });

  it('retrieves by the PaymentIntent id when the run kept it, and a declined intent reads as failed', async () => {
    stub.on('GET /v1/payment_intents/pi_3NdeclLkdIwHu7ix1aB2cD3e', fixture('payment-intent-declined'));
    const r = await gateway.findCharge({
      paymentId: 'pay_stolen',
      idempotencyKey: 'pay_stolen:v1',
      chargeId: 'pi_3NdeclLkdIwHu7ix1aB2cD3e',
    });
    expect(r).toMatchObject({ found: true, charge: { status: 'failed', declineCode: 'stolen_card' } });
    expect(stub.requests.map((q) => q.path)).toEqual(['/v1/payment_intents/pi_3NdeclLkdIwHu7ix1aB2cD3e']);
  });
});

describe('3DS confirm and cancel', () => {
  it('confirm after the challenge reads the intent, which Stripe moved on by itself', async () => {
    stub.on('GET /v1/payment_intents/pi_3NkP0sLkdIwHu7ix0Xr8aQ4f', fixture('payment-intent-succeeded'));
    expect((await gateway.confirmCharge('pi_3NkP0sLkdIwHu7ix0Xr8aQ4f', 'pay_3ds:v1:confirm')).status).toBe('succeeded');
    expect(posts('/v1/payment_intents/pi_3NkP0sLkdIwHu7ix0Xr8aQ4f/confirm')).toHaveLength(0);
  });

  it('confirm sends a confirm under its own key when the intent waits for one', async () => {
    const waiting = { ...(fixture('payment-intent-requires-action').body as object), status: 'requires_confirmation' };
    stub.on('GET /v1/payment_intents/pi_3NkP0sLkdIwHu7ix0Xr8aQ4f', { source: 'lifecycle', status: 200, body: waiting });
    stub.on('POST /v1/payment_intents/pi_3NkP0sLkdIwHu7ix0Xr8aQ4f/confirm', fixture('payment-intent-succeeded'));
    await gateway.confirmCharge('pi_3NkP0sLkdIwHu7ix0Xr8aQ4f', 'pay_3ds:v1:confirm');
    const [confirm] = posts('/v1/payment_intents/pi_3NkP0sLkdIwHu7ix0Xr8aQ4f/confirm');
    expect(confirm.idempotencyKey).toBe('pay_3ds:v1:confirm');
  });

  it('cancels an intent awaiting 3DS under its key', async () => {
    stub.on('POST /v1/payment_intents/pi_3NkP0sLkdIwHu7ix0Xr8aQ4f/cancel', fixture('payment-intent-canceled'));
    const r = await gateway.cancelCharge('pi_3NkP0sLkdIwHu7ix0Xr8aQ4f', 'pay_3ds:v1:cancel');
    expect(r.status).toBe('canceled');
    const [sent] = posts('/v1/payment_intents/pi_3NkP0sLkdIwHu7ix0Xr8aQ4f/cancel');
    expect(sent.idempotencyKey).toBe('pay_3ds:v1:cancel');
    expect(sent.form.get('cancellation_reason')).toBe('abandoned');
  });

  it('a cancel of a settled intent is GatewayInvalidRequest, which the activity answers by reading it', async () => {
    stub.on('POST /v1/payment_intents/pi_1/cancel', fixture('payment-intent-unexpected-state'));
    expect((await failureOf(gateway.cancelCharge('pi_1', 'k:cancel'))).type).toBe(ErrorType.GatewayInvalidRequest);
  });
});

describe('refunds', () => {
  it('refunds the PaymentIntent under the refund’s own key, with our ids in metadata', async () => {
    stub.on('POST /v1/refunds', fixture('refund'));
    const key = 'refund_pi_3MtwBwLkdIwHu7ix28a3tqPa_1';
    const refund = await gateway.createRefund({
      paymentId: 'pay_1',
      chargeId: 'pi_3MtwBwLkdIwHu7ix28a3tqPa',
      amount: 1000,
      reason: 'requested_by_customer',
      idempotencyKey: key,
    });
    expect(refund).toEqual({
      id: 're_1Nispe2eZvKYlo2Cd31jOCgZ',
      chargeId: 'pi_3MtwBwLkdIwHu7ix28a3tqPa',
      amount: 1000,
      currency: 'USD',
      status: 'succeeded',
    });
    const [sent] = posts('/v1/refunds');
    expect(sent.idempotencyKey).toBe(key);
    expect(sent.form.get('payment_intent')).toBe('pi_3MtwBwLkdIwHu7ix28a3tqPa');
    expect(sent.form.get('reason')).toBe('requested_by_customer');
    expect(sent.form.get('metadata[gateway_key]')).toBe(key);
  });

  it('finds a refund by its key among the intent’s refunds, and only that one', async () => {
    const mine = fixture('refund').body as { metadata: object };
    const other = { ...mine, id: 're_other', metadata: { gateway_key: 'refund_pi_3MtwBwLkdIwHu7ix28a3tqPa_2' } };
    stub.on('GET /v1/refunds', list([other, mine], '/v1/refunds'));
    const found = await gateway.findRefund('pi_3MtwBwLkdIwHu7ix28a3tqPa', 'refund_pi_3MtwBwLkdIwHu7ix28a3tqPa_1');
    expect(found?.id).toBe('re_1Nispe2eZvKYlo2Cd31jOCgZ');
    expect(stub.requests[0].query.get('payment_intent')).toBe('pi_3MtwBwLkdIwHu7ix28a3tqPa');
    expect(await gateway.findRefund('pi_3MtwBwLkdIwHu7ix28a3tqPa', 'refund_pi_3MtwBwLkdIwHu7ix28a3tqPa_9')).toBe(
      undefined,
    );
  });

  it('a refused refund is GatewayInvalidRequest (the activity makes it RefundRefused)', async () => {
    stub.on('POST /v1/refunds', fixture('charge-already-refunded'));
    const err = await failureOf(
      gateway.createRefund({ paymentId: 'p', chargeId: 'pi_1', amount: 1, idempotencyKey: 'refund_pi_1_1' }),
    );
    expect(err.type).toBe(ErrorType.GatewayInvalidRequest);
  });
});

describe('disputes', () => {
  it('reads a dispute with the PaymentIntent as our charge id', async () => {
    stub.on('GET /v1/disputes/du_1MtJUT2eZvKYlo2CNaw2HvEv', fixture('dispute-needs-response'));
    expect(await gateway.getDispute('du_1MtJUT2eZvKYlo2CNaw2HvEv')).toEqual({
      id: 'du_1MtJUT2eZvKYlo2CNaw2HvEv',
      chargeId: 'pi_3MtwBwLkdIwHu7ix28a3tqPa',
      status: 'needs_response',
      reason: 'fraudulent',
    });
  });

  it('submits the evidence with submit=true under its key', async () => {
    stub.on('POST /v1/disputes/du_1MtJUT2eZvKYlo2CNaw2HvEv', fixture('dispute-under-review'));
    const evidence = { customer_name: 'Ada Lovelace', uncategorized_text: 'Charge of 1000 USD' };
    await gateway.submitDisputeEvidence('du_1MtJUT2eZvKYlo2CNaw2HvEv', evidence, 'dispute_du_1_submit');
    const [sent] = posts('/v1/disputes/du_1MtJUT2eZvKYlo2CNaw2HvEv');
    expect(sent.idempotencyKey).toBe('dispute_du_1_submit');
    expect(sent.form.get('submit')).toBe('true');
    expect(sent.form.get('evidence[customer_name]')).toBe('Ada Lovelace');
  });

  it('a refused submission is GatewayInvalidRequest (the activity reports it as not submitted)', async () => {
    stub.on('POST /v1/disputes/du_1', fixture('dispute-already-submitted'));
    expect((await failureOf(gateway.submitDisputeEvidence('du_1', {}, 'k'))).type).toBe(
      ErrorType.GatewayInvalidRequest,
    );
  });
});

describe("Stripe's errors in our types", () => {
  const cases: Array<[string, ErrorType, boolean]> = [
    ['rate-limit', ErrorType.GatewayRateLimited, true],
    ['lock-timeout', ErrorType.GatewayIdempotencyInUse, true],
    ['api-error', ErrorType.GatewayServerError, true],
    ['idempotency-error', ErrorType.GatewayIdempotencyMismatch, false],
    ['invalid-request', ErrorType.GatewayInvalidRequest, false],
    ['authentication-error', ErrorType.GatewayAuthentication, false],
  ];
  it.each(cases)('%s → %s (retryable: %s)', async (name, type, retryable) => {
    stub.on('POST /v1/payment_intents', fixture(name));
    const err = await failureOf(gateway.createCharge(charge()));
    expect(err.type).toBe(type);
    expect(NON_RETRYABLE_ERROR_TYPES.includes(type)).toBe(!retryable);
    expect(err.nonRetryable).toBe(!retryable);
  });

  it('honours Retry-After on a 429', async () => {
    stub.on('POST /v1/payment_intents', fixture('rate-limit'));
    expect((await failureOf(gateway.createCharge(charge()))).nextRetryDelay).toBe(2_000);
  });

  it('a dropped connection is an unknown outcome: retryable, checked before the next send', async () => {
    stub.on('GET /v1/payment_intents/pi_1', 'drop');
    const err = await failureOf(gateway.getCharge('pi_1'));
    expect(err.type).toBe(ErrorType.GatewayConnectionLost);
    expect(NON_RETRYABLE_ERROR_TYPES).not.toContain(err.type);
  });

  it('never puts a card number or Stripe’s message text into our failure', async () => {
    stub.on('POST /v1/payment_intents', fixture('card-declined-insufficient-funds'));
    const err = await failureOf(gateway.createCharge(charge()));
    expect(err.message).toBe('card declined: insufficient_funds (soft)');
  });
});
