/** Refund keys name their charge, so a look-up given only the key can list that charge's refunds. */
import { chargeOfRefundKey, gatewayChargeKey, gatewayRefundKey } from '../../shared/idempotency';

it('reads the charge back from a refund key, ids with underscores included', () => {
  for (const chargeId of ['ch_3ae87a42bf6a43219d2b3bc9', 'pi_3MtwBwLkdIwHu7ix28a3tqPa', 'weird_id_12']) {
    expect(chargeOfRefundKey(gatewayRefundKey(chargeId, 1))).toBe(chargeId);
    expect(chargeOfRefundKey(gatewayRefundKey(chargeId, 12))).toBe(chargeId);
  }
});

it('names no charge for another shape of key', () => {
  for (const key of ['pay_1:v1', 'refund_', 'refund_1', 'refund_ch_1_x', 'dispute_dp_1_submit']) {
    expect(chargeOfRefundKey(key)).toBeUndefined();
  }
});

it('derives charge keys per gateway: the first keeps its key, a later gateway of the order is named in it', () => {
  expect(gatewayChargeKey('pay_1', 1, 0)).toBe('pay_1:v1');
  expect(gatewayChargeKey('pay_1', 1, 2)).toBe('pay_1:v1:r2');
  expect(gatewayChargeKey('pay_1', 1, 0, 'secondary')).toBe('pay_1:v1:via-secondary');
  expect(gatewayChargeKey('pay_1', 1, 2, 'secondary')).toBe('pay_1:v1:r2:via-secondary');
  expect(gatewayChargeKey('pay_1', 1, 0, 'secondary')).toBe(gatewayChargeKey('pay_1', 1, 0, 'secondary'));
  expect(gatewayChargeKey('pay_1', 1, 0, 'tertiary')).not.toBe(gatewayChargeKey('pay_1', 1, 0, 'secondary'));
});
