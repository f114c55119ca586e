/**
 * The sandbox adapter: its mapping of the sandbox's wire shapes to the port's (pure), and its check before
 * resend and 409 "in flight" against a real sandbox gateway on loopback.
 */
import { createGatewaySandbox, type GatewaySandbox } from '../../gateway-sandbox/server';
import { createSandboxGateway, toCharge, toRefund } from '../../gateways/sandbox';
import type { SandboxCharge } from '../../gateways/sandbox-client';
import type { Gateway } from '../../gateways/port';

const wire: SandboxCharge = {
  id: 'ch_1',
  status: 'succeeded',
  amount: 1999,
  currency: 'usd',
  created: 1_700_000_000,
  payment_method_details: {
    card: { last4: '4242', brand: 'visa', checks: { cvc_check: 'pass', address_postal_code_check: 'pass' } },
    three_d_secure: { result: 'authenticated' },
  },
};

describe('mapping', () => {
  it("turns the sandbox's charge into the port's", () => {
    expect(toCharge(wire)).toEqual({
      id: 'ch_1',
      status: 'succeeded',
      amount: 1999,
      currency: 'USD',
      declineCode: undefined,
      created: 1_700_000_000,
      card: { last4: '4242', brand: 'visa', cvcCheck: 'pass', postalCodeCheck: 'pass' },
      threeDSecure: 'authenticated',
    });
  });

  it('keeps the decline code, else the failure code, of a failed charge', () => {
    expect(toCharge({ ...wire, status: 'failed', decline_code: 'stolen_card' }).declineCode).toBe('stolen_card');
    expect(toCharge({ ...wire, status: 'failed', failure_code: 'card_declined' }).declineCode).toBe('card_declined');
  });

  it('passes the statuses the port knows and reads any other as not captured', () => {
    for (const status of ['succeeded', 'requires_action', 'failed', 'canceled']) {
      expect(toCharge({ ...wire, status }).status).toBe(status);
    }
    expect(toCharge({ ...wire, status: 'something_new' }).status).toBe('failed');
  });

  it("turns the sandbox's refund into the port's", () => {
    const refund = { id: 're_1', charge: 'ch_1', amount: 500, currency: 'eur', status: 'succeeded' };
    expect(toRefund(refund)).toEqual({
      id: 're_1',
      chargeId: 'ch_1',
      amount: 500,
      currency: 'EUR',
      status: 'succeeded',
    });
  });
});

describe('against a real sandbox', () => {
  let sandbox: GatewaySandbox;
  let gateway: Gateway;
  beforeAll(async () => {
    sandbox = await createGatewaySandbox({ port: 0 });
    gateway = createSandboxGateway({
      baseUrl: sandbox.url,
      apiKey: 'sk_test_sandbox',
      connectTimeoutMs: 1_000,
      readTimeoutMs: 2_000,
    });
  });
  afterAll(async () => {
    await gateway.close();
    await sandbox.close();
  });

  const request = (key: string) => ({
    paymentId: 'pay_sandbox',
    amount: 1999,
    currency: 'USD',
    paymentMethod: { type: 'card' as const, number: '4242424242424242' },
    idempotencyKey: key,
  });

  it('a resend asks for the key first and answers with the charge it holds, sending nothing', async () => {
    const first = await gateway.createCharge(request('pay_sandbox:v1'));
    const again = await gateway.createCharge({ ...request('pay_sandbox:v1'), earlierRequest: 'any_time' });
    expect(again.id).toBe(first.id);
    const found = await gateway.findCharge({ paymentId: 'pay_sandbox', idempotencyKey: 'pay_sandbox:v1' });
    expect(found).toMatchObject({ found: true, charge: { id: first.id, status: 'succeeded' } });
    expect(found.found && found.charges).toHaveLength(1);
  });

  it('an unknown key is no charge, nothing in flight', async () => {
    expect(await gateway.findCharge({ paymentId: 'p', idempotencyKey: 'never-used:v1' })).toEqual({
      found: false,
      inFlight: false,
    });
  });

  it('refund and its look-up by key', async () => {
    const charge = await gateway.createCharge(request('pay_sandbox:refund'));
    const key = `refund_${charge.id}_1`;
    const refund = await gateway.createRefund({
      paymentId: 'p',
      chargeId: charge.id,
      amount: 500,
      idempotencyKey: key,
    });
    expect(await gateway.findRefund(charge.id, key)).toEqual(refund);
    expect(await gateway.findRefund(charge.id, `refund_${charge.id}_2`)).toBeUndefined();
  });
});
