/** A gateway that refuses our API key: the payment fails at once, nothing is retried or charged. */
import { ledgerFor } from '../support/gateway-admin';
import { startPaymentHarness, uniqueKey, type PaymentHarness } from '../support/payment-harness';

let h: PaymentHarness;
beforeAll(async () => {
  h = await startPaymentHarness({ gatewayApiKey: 'sk_test_wrong_key' });
});
afterAll(async () => {
  await h?.teardown();
});

it('fails a payment on 401 without retrying', async () => {
  const { paymentId } = await h.client.startPayment({
    idempotencyKey: uniqueKey('401'),
    amount: 1000,
    currency: 'USD',
    paymentMethod: { type: 'card', number: '4242424242424242' },
  });
  const result = await h.client.result(paymentId);
  expect(result).toMatchObject({ status: 'failed', attempts: 1 });
  const state = await h.client.getPayment(paymentId);
  expect(state.attempts[0]).toMatchObject({ outcome: 'error', errorCode: 'GatewayAuthentication' });
  // One charge attempt only: the history holds a single ActivityTaskStarted of chargeCard, with attempt 1.
  const history = await h.env.client.workflow.getHandle(`payment-${paymentId}`).fetchHistory();
  const events = history.events ?? [];
  const charges = new Set(
    events
      .filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'chargeCard')
      .map((e) => Number(e.eventId)),
  );
  const started = events.filter(
    (e) =>
      e.activityTaskStartedEventAttributes &&
      charges.has(Number(e.activityTaskStartedEventAttributes.scheduledEventId)),
  );
  expect(started.map((e) => e.activityTaskStartedEventAttributes?.attempt)).toEqual([1]);
  expect(await ledgerFor(h.gateway.url, paymentId)).toHaveLength(0);
});
