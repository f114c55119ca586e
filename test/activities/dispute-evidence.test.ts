/** Unit tests of the evidence each dispute reason calls for (pure; the workflow tests run it for real). */
import { buildEvidence, expectedEvidenceFields, type EvidenceFacts } from '../../activities/dispute-evidence';
import type { PaymentState } from '../../shared/payment-types';

const payment = {
  paymentId: '0b6f3a52-3c1e-5c8e-9d1a-6f1e2d3c4b5a',
  status: 'succeeded',
  amount: 1000,
  currency: 'USD',
  customerId: 'cus_1',
  amountRefunded: 0,
  order: { customerName: 'Ada', customerEmail: 'ada@example.com', customerIp: '203.0.113.7', deviceId: 'dev_1' },
} as unknown as PaymentState;

const facts = (over: Partial<EvidenceFacts> = {}): EvidenceFacts => ({
  charge: { id: 'ch_1', amount: 1000, currency: 'usd', threeDSecure: 'authenticated', cvcCheck: 'pass' },
  payment,
  merchant: {},
  ...over,
});

describe('dispute evidence by reason', () => {
  it('fraudulent: authentication, card checks, device and purchase history in the access log', () => {
    const { evidence, missing } = buildEvidence(
      'fraudulent',
      facts({ priorPurchases: [{ paymentId: 'p-earlier', at: '2026-10-01T00:00:00.000Z' }] }),
    );
    expect(evidence.access_activity_log).toContain('3-D Secure: authenticated');
    expect(evidence.access_activity_log).toContain('CVC check: pass');
    expect(evidence.access_activity_log).toContain('device: dev_1');
    expect(evidence.access_activity_log).toContain('prior undisputed purchases by customer cus_1: 1');
    expect(missing).toEqual(['product_description']);
  });

  it('product_not_received without shipping facts lists every shipping field as missing', () => {
    const { evidence, missing } = buildEvidence('product_not_received', facts());
    expect(evidence.shipping_carrier).toBeUndefined();
    expect(missing).toEqual(
      expect.arrayContaining(['shipping_carrier', 'shipping_tracking_number', 'shipping_date', 'shipping_address']),
    );
  });

  it('duplicate: counts succeeded charges across keys', () => {
    const { evidence } = buildEvidence(
      'duplicate',
      facts({
        chargesByKey: [
          { gatewayKey: 'k:v1', succeededChargeIds: ['ch_1'] },
          { gatewayKey: 'k:v1:r1', succeededChargeIds: [] },
        ],
      }),
    );
    expect(evidence.duplicate_charge_explanation).toContain('1 succeeded charge(s) (ch_1) across 2 idempotency key(s)');
  });

  it('every other reason gets the base set, with the merchant policies when configured', () => {
    expect(expectedEvidenceFields('subscription_canceled')).toEqual(expectedEvidenceFields('general'));
    const { evidence } = buildEvidence(
      'credit_not_processed',
      facts({ merchant: { refundPolicyUrl: 'https://s/refunds', termsOfServiceUrl: 'https://s/terms' } }),
    );
    expect(evidence.refund_policy).toBe('https://s/refunds');
    expect(evidence.uncategorized_text).toContain('terms of service: https://s/terms');
    expect(evidence.access_activity_log).toBeUndefined();
  });
});
