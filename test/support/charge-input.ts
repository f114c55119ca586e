import type { ChargeCardInput } from '../../activities/charges';

/** One charge as the workflow asks it of the gateway activities: the unit tests of chargeCard and chargeWithTrail share it. */
export const CHARGE_INPUT: ChargeCardInput = {
  paymentId: 'pay_1',
  gatewayKey: 'pay_1:v1',
  amount: 1000,
  currency: 'USD',
  paymentMethod: { type: 'token', token: 'tok_visa' },
  maxAttempts: 5,
};
