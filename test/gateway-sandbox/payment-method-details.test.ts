/**
 * `payment_method_details` on charges: what a dispute-evidence gatherer needs (brand, last four, checks, the 3DS
 * result), and never the card number itself.
 */
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

async function getCharge(id: string): Promise<{ charge: Charge; raw: string }> {
  const response = await fetch(`${sandbox.url}/v1/charges/${id}`, {
    headers: { Authorization: 'Bearer sk_test_sandbox' },
  });
  const raw = await response.text();
  return { charge: JSON.parse(raw) as Charge, raw };
}

describe('card details', () => {
  it.each([
    ['4242424242424242', 'visa'],
    ['5555555555554444', 'mastercard'],
    ['2223003122003222', 'mastercard'],
    ['378282246310005', 'amex'],
    ['6011111111111117', 'discover'],
    ['3566002020360505', 'jcb'],
    ['36227206271667', 'diners'],
    ['6200000000000005', 'unionpay'],
    ['123456789012', 'unknown'],
  ])('%s is a %s card, shown by brand and last four digits only', async (number, brand) => {
    const created = await api.createCharge<Charge>(cardCharge(number), newKey());
    const { charge, raw } = await getCharge(created.body.id);

    expect(charge.payment_method_details).toEqual({
      card: { last4: number.slice(-4), brand, checks: { cvc_check: 'pass', address_postal_code_check: 'pass' } },
      three_d_secure: null,
    });
    expect(created.body.payment_method_details).toEqual(charge.payment_method_details);
    expect(raw).not.toContain(number);
  });

  it('reports a failed CVC check for the incorrect-CVC test card', async () => {
    const declined = await api.createCharge<GatewayErrorBody>(cardCharge('4000000000000127'), newKey());
    const { charge } = await getCharge(String(declined.body.error.charge));
    expect(charge.payment_method_details.card.checks).toEqual({ cvc_check: 'fail', address_postal_code_check: 'pass' });
  });
});

describe('three_d_secure', () => {
  it.each([
    ['succeeded', 'authenticated'],
    ['failed', 'failed'],
  ] as const)('is null until the customer answers, then %s gives %s', async (result, reported) => {
    const created = await api.createCharge<Charge>(cardCharge('4000000000003220'), newKey());
    expect(created.body.payment_method_details.three_d_secure).toBeNull();

    await api.request('POST', `/_sandbox/3ds/${created.body.id}`, { result });
    expect((await getCharge(created.body.id)).charge.payment_method_details.three_d_secure).toEqual({
      result: reported,
    });
    await api.request('POST', `/v1/charges/${created.body.id}/confirm`);
    expect((await getCharge(created.body.id)).charge.payment_method_details.three_d_secure).toEqual({
      result: reported,
    });
  });
});
