/**
 * Contract of the Stripe adapter against stripe-mock (started by the jest global setup): stripe-mock checks every
 * request against Stripe's OpenAPI spec and refuses one it does not accept with a 400, so each method resolving
 * means Stripe's schema took the request, and the checks below mean its answer parsed into our types.
 * stripe-mock keeps no state and answers with fixture objects: behaviour is tested in stripe-behaviour.test.ts.
 */
import Stripe from 'stripe';
import { createStripeGateway } from '../../gateways/stripe';
import type { ChargeLookup, Gateway, GatewayCharge } from '../../gateways/port';
import { DISPUTE_EVIDENCE_FIELDS } from '../../shared/dispute-types';
import { ErrorType } from '../../shared/errors';
import { ApplicationFailure } from '@temporalio/common';

function mockUrl(): string {
  const url = process.env.STRIPE_MOCK_URL;
  if (!url) throw new Error('STRIPE_MOCK_URL is not set: the jest globalSetup must start stripe-mock');
  return url;
}

let gateway: Gateway;
beforeAll(() => {
  gateway = createStripeGateway({ secretKey: 'sk_test_contract', apiBase: mockUrl(), timeoutMs: 5_000 });
});

const STATUSES = ['succeeded', 'requires_action', 'failed', 'canceled', 'processing'];

function expectCharge(c: GatewayCharge): void {
  expect(c.id).toMatch(/^pi_/);
  expect(STATUSES).toContain(c.status);
  expect(Number.isInteger(c.amount)).toBe(true);
  expect(c.currency).toMatch(/^[A-Z]{3}$/);
  expect(typeof c.created).toBe('number');
}

const request = {
  paymentId: 'pay_contract',
  amount: 1999,
  currency: 'USD',
  paymentMethod: { type: 'token' as const, token: 'pm_card_visa' },
  idempotencyKey: 'pay_contract:v1',
};

describe('every request the Stripe adapter makes is accepted by the schema, and every answer parses', () => {
  it('create and confirm, plain, off-session and with 3DS requested', async () => {
    expectCharge(await gateway.createCharge(request));
    expectCharge(await gateway.createCharge({ ...request, idempotencyKey: 'pay_contract:v1:r1', offSession: true }));
    expectCharge(await gateway.createCharge({ ...request, idempotencyKey: 'pay_contract:v2', requestThreeDS: true }));
    expectCharge(
      await gateway.createCharge({ ...request, paymentMethod: { type: 'card', number: '4242424242424242' } }),
    );
    // A card token is made into a PaymentMethod first: that request too.
    expectCharge(await gateway.createCharge({ ...request, paymentMethod: { type: 'token', token: 'tok_visa' } }));
  });

  it('a resend after the key window: search by metadata, list of recent intents, then create', async () => {
    expectCharge(await gateway.createCharge({ ...request, earlierRequest: 'any_time' }));
  });

  it('look-up by key and by the kept PaymentIntent id', async () => {
    const byKey: ChargeLookup = await gateway.findCharge({ paymentId: 'p', idempotencyKey: "it's:v1" });
    expect(byKey.found === false || byKey.charges.length > 0).toBe(true);
    const byId = await gateway.findCharge({ paymentId: 'p', idempotencyKey: 'p:v1', chargeId: 'pi_123' });
    if (!byId.found) throw new Error('retrieving a PaymentIntent by id must find it');
    expectCharge(byId.charge);
  });

  it('retrieve, confirm and cancel', async () => {
    expectCharge(await gateway.getCharge('pi_123'));
    expectCharge(await gateway.confirmCharge('pi_123', 'p:v1:confirm'));
    expectCharge(await gateway.cancelCharge('pi_123', 'p:v1:cancel'));
  });

  it('refund, with and without a reason, and the refund look-up', async () => {
    const key = 'refund_pi_123_1';
    const refund = await gateway.createRefund({
      paymentId: 'p',
      chargeId: 'pi_123',
      amount: 500,
      reason: 'requested_by_customer',
      idempotencyKey: key,
    });
    expect(refund).toMatchObject({ id: expect.stringMatching(/^re_/), currency: expect.stringMatching(/^[A-Z]{3}$/) });
    expect(Number.isInteger(refund.amount)).toBe(true);
    await gateway.createRefund({ paymentId: 'p', chargeId: 'pi_123', amount: 1, idempotencyKey: 'refund_pi_123_2' });
    // stripe-mock's listed refund carries none of our metadata: the point is that the list request was accepted.
    expect(await gateway.findRefund('pi_123', key)).toBeUndefined();
  });

  it('dispute read, and evidence submission with every evidence field we know', async () => {
    const dispute = await gateway.getDispute('dp_123');
    expect(dispute).toMatchObject({ id: 'dp_123', status: expect.any(String), reason: expect.any(String) });
    expect(dispute.chargeId).toMatch(/^(pi|ch)_/);
    // Stripe's own typings name each field we may send: tsc fails here if one is not Stripe's.
    const stripeFields: ReadonlyArray<keyof Stripe.DisputeUpdateParams.Evidence> = DISPUTE_EVIDENCE_FIELDS;
    const evidence = Object.fromEntries(stripeFields.map((field) => [field, `${field} text`]));
    await expect(gateway.submitDisputeEvidence('dp_123', evidence, 'dispute_dp_123_submit')).resolves.toBeUndefined();
  });

  it('control: stripe-mock does refuse what the schema does not allow, and the adapter says so', async () => {
    const raw = new Stripe('sk_test_contract', {
      host: '127.0.0.1',
      port: Number(new URL(mockUrl()).port),
      protocol: 'http',
    });
    await expect(
      raw.paymentIntents.create({
        amount: 1,
        currency: 'usd',
        not_a_stripe_param: true,
      } as Stripe.PaymentIntentCreateParams),
    ).rejects.toMatchObject({ statusCode: 400 });
    // A fractional amount breaks the schema's integer: the adapter's request is refused, in our terms.
    const err = await gateway.createCharge({ ...request, amount: 19.99 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect((err as ApplicationFailure).type).toBe(ErrorType.GatewayInvalidRequest);
  });
});
