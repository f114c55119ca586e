/** Charges against Stripe's test cards and tokens: every card's outcome and decline code. */
import type { GatewaySandbox } from '../../gateway-sandbox/server';
import type { Charge, ChargeList, DeclineCode, GatewayErrorBody } from '../../gateway-sandbox/types';
import { cardCharge, newKey, SandboxClient, startSandbox } from './helpers';

let sandbox: GatewaySandbox;
let api: SandboxClient;

beforeAll(async () => {
  sandbox = await startSandbox();
  api = new SandboxClient(sandbox.url);
});

afterAll(() => sandbox.close());

describe('successful charges', () => {
  it('creates a succeeded charge with the full charge object', async () => {
    const key = newKey();
    const before = Math.floor(Date.now() / 1000);
    const body = cardCharge('4242424242424242', { amount: 12345, currency: 'EUR', metadata: { order: 'o-1' } });
    const response = await api.createCharge<Charge>(body, key);

    expect(response.status).toBe(200);
    expect(response.headers.get('idempotent-replayed')).toBeNull();
    expect(response.body).toEqual({
      id: expect.stringMatching(/^ch_[0-9a-f]{24}$/),
      object: 'charge',
      amount: 12345,
      currency: 'eur',
      status: 'succeeded',
      idempotency_key: key,
      metadata: { order: 'o-1' },
      card_last4: '4242',
      created: expect.any(Number),
      amount_refunded: 0,
      refunded: false,
      payment_method_details: {
        card: { last4: '4242', brand: 'visa', checks: { cvc_check: 'pass', address_postal_code_check: 'pass' } },
        three_d_secure: null,
      },
    });
    expect(response.body.created).toBeGreaterThanOrEqual(before);
  });

  it('gives every charge a distinct id', async () => {
    const first = await api.createCharge<Charge>(cardCharge('4242424242424242'), newKey());
    const second = await api.createCharge<Charge>(cardCharge('4242424242424242'), newKey());
    expect(first.body.id).not.toBe(second.body.id);
  });

  it.each(['5555555555554444', '378282246310005', '4000000000000259', '123456789012'])(
    'succeeds for the other valid number %s',
    async (number) => {
      const response = await api.createCharge<Charge>(cardCharge(number), newKey());
      expect(response.status).toBe(200);
      expect(response.body.status).toBe('succeeded');
      expect(response.body.card_last4).toBe(number.slice(-4));
    },
  );
});

describe('declining test cards', () => {
  const declines: Array<[string, DeclineCode]> = [
    ['4000000000000002', 'generic_decline'],
    ['4000000000009995', 'insufficient_funds'],
    ['4000000000000069', 'expired_card'],
    ['4000000000000127', 'incorrect_cvc'],
    ['4000000000000119', 'processing_error'],
    ['4000000000009987', 'lost_card'],
    ['4000000000009979', 'stolen_card'],
    ['4242424242424241', 'incorrect_number'],
  ];

  it.each(declines)('%s answers 402 %s and records a failed charge', async (number, declineCode) => {
    const key = newKey();
    const response = await api.createCharge<GatewayErrorBody>(cardCharge(number), key);

    expect(response.status).toBe(402);
    expect(response.body.error).toEqual({
      type: 'card_error',
      code: 'card_declined',
      decline_code: declineCode,
      message: expect.any(String),
      charge: expect.stringMatching(/^ch_/),
    });
    const charge = await api.request<Charge>('GET', `/v1/charges/${response.body.error.charge}`);
    expect(charge.body).toMatchObject({
      status: 'failed',
      failure_code: 'card_declined',
      decline_code: declineCode,
      idempotency_key: key,
      card_last4: number.slice(-4),
    });
  });
});

describe('3DS test cards', () => {
  it.each(['4000002500003155', '4000002760003184', '4000000000003220'])(
    '%s answers 200 requires_action with a three_d_secure next action',
    async (number) => {
      const response = await api.createCharge<Charge>(cardCharge(number), newKey());
      expect(response.status).toBe(200);
      expect(response.body.status).toBe('requires_action');
      expect(response.body.next_action).toEqual({ type: 'three_d_secure' });
    },
  );
});

describe('tokens', () => {
  const tokens: Array<[string, number, string, DeclineCode | undefined]> = [
    ['tok_visa', 200, 'succeeded', undefined],
    ['tok_chargeDeclined', 402, 'failed', 'generic_decline'],
    ['tok_chargeDeclinedInsufficientFunds', 402, 'failed', 'insufficient_funds'],
    ['tok_chargeDeclinedExpiredCard', 402, 'failed', 'expired_card'],
    ['tok_threeDSecure2Required', 200, 'requires_action', undefined],
    ['tok_4000000000009987', 402, 'failed', 'lost_card'],
    ['tok_5555555555554444', 200, 'succeeded', undefined],
  ];

  it.each(tokens)('%s answers %i with a %s charge', async (token, status, chargeStatus, declineCode) => {
    const key = newKey();
    const body = { amount: 500, currency: 'gbp', payment_method: { type: 'token', token } };
    const response = await api.createCharge<Charge & GatewayErrorBody>(body, key);

    expect(response.status).toBe(status);
    expect(response.body.error?.decline_code).toBe(declineCode);
    const list = await api.request<ChargeList>('GET', `/v1/charges?idempotency_key=${key}`);
    expect(list.body.data).toHaveLength(1);
    expect(list.body.data[0].status).toBe(chargeStatus);
  });

  it('rejects an unknown token with 400 resource_missing and creates nothing', async () => {
    const key = newKey();
    const body = { amount: 500, currency: 'usd', payment_method: { type: 'token', token: 'tok_nope' } };
    const response = await api.createCharge<GatewayErrorBody>(body, key);

    expect(response.status).toBe(400);
    expect(response.body.error).toMatchObject({ type: 'invalid_request_error', code: 'resource_missing' });
    const ledger = await api.request<{ charges: unknown[] }>('GET', `/_sandbox/ledger?idempotency_key=${key}`);
    expect(ledger.body.charges).toHaveLength(0);
  });
});
