/**
 * The charge activities on the port, unit level with a scripted Gateway (no processor): what they ask of the
 * adapter on a first attempt, a retry and an operator's retry, and how a charge not decided yet is treated.
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import { ApplicationFailure } from '@temporalio/common';
import { createGatewayActivities, type ChargeCardInput } from '../../activities/charges';
import { InProcessRetryBudget, SEED_RETRY_BUDGET } from '../../resilience/retry-budget';
import type { CreateChargeRequest, Gateway, GatewayCharge } from '../../gateways/port';
import { createLogger } from '../../logging/logger';
import { ErrorType } from '../../shared/errors';
import { CHARGE_INPUT } from '../support/charge-input';

const charge = (status: GatewayCharge['status']): GatewayCharge => ({
  id: 'pi_1',
  status,
  amount: 1000,
  currency: 'USD',
});

function scripted(answer: GatewayCharge) {
  const sent: CreateChargeRequest[] = [];
  const gateway = {
    createCharge: async (req: CreateChargeRequest) => {
      sent.push(req);
      return answer;
    },
    findCharge: async () => ({ found: true, charge: answer, charges: [answer] }),
  } as unknown as Gateway;
  const activities = createGatewayActivities({
    gateway,
    gatewayName: 'scripted',
    logger: createLogger({ level: 'silent', name: 'test' }),
    resilience: { retryBudget: new InProcessRetryBudget(SEED_RETRY_BUDGET), maxDeferralMs: 600_000 },
  });
  return { sent, activities };
}

const input: ChargeCardInput = CHARGE_INPUT;

it('says whether an earlier request may have landed: not on attempt 1, recently on a retry, any time for an operator', async () => {
  const { sent, activities } = scripted(charge('succeeded'));
  await new MockActivityEnvironment({ attempt: 1 }).run(activities.chargeCard, input);
  await new MockActivityEnvironment({ attempt: 2 }).run(activities.chargeCard, input);
  await new MockActivityEnvironment({ attempt: 1 }).run(activities.chargeCard, { ...input, checkFirst: true });
  expect(sent.map((r) => r.earlierRequest)).toEqual([undefined, 'recent', 'any_time']);
  expect(sent.every((r) => r.idempotencyKey === 'pay_1:v1')).toBe(true);
});

it('a charge still processing is an unknown outcome for the charge (retried) and "in flight" for a look-up', async () => {
  const { activities } = scripted(charge('processing'));
  const err = await new MockActivityEnvironment({ attempt: 1 })
    .run(activities.chargeCard, input)
    .catch((e: unknown) => e);
  expect(err).toBeInstanceOf(ApplicationFailure);
  expect((err as ApplicationFailure).type).toBe(ErrorType.GatewayServerError);
  expect(await activities.lookupCharge({ paymentId: 'pay_1', gatewayKey: 'pay_1:v1' })).toEqual({
    found: false,
    inFlight: true,
  });
});

it('a failed charge found by key is a decline classified with the payment’s initiator', async () => {
  const { activities } = scripted({ ...charge('failed'), declineCode: 'insufficient_funds' });
  const customer = await activities.lookupCharge({ paymentId: 'p', gatewayKey: 'p:v1', initiator: 'customer' });
  const merchant = await activities.lookupCharge({ paymentId: 'p', gatewayKey: 'p:v1', initiator: 'merchant' });
  expect(customer).toMatchObject({ found: true, decline: { declineClass: 'hard' }, gateway: 'scripted' });
  expect(merchant).toMatchObject({ found: true, decline: { declineClass: 'soft' } });
});
