/**
 * Events out, end to end on the real dev server: the worker's audit outbox starts a delivery run per event, which
 * POSTs it signed to a merchant endpoint on loopback and retries until a 2xx. The receiver checks signatures and
 * keeps each event once by id, as a merchant's backend must.
 */
import { randomUUID } from 'node:crypto';
import { DisputesClient, type GatewayDispute } from '../../client/disputes-client';
import { temporalMerchantEvents } from '../../merchant-events/temporal-sink';
import { DEFAULT_DELIVERY_POLICY, merchantEventWorkflowId } from '../../shared/merchant-events';
import { VISA } from '../support/cards';
import { startMerchantReceiver, type MerchantReceiver } from '../support/merchant-receiver';
import { startPaymentHarness, uniqueKey, type PaymentHarness } from '../support/payment-harness';
import { eventually } from '../support/wait';

const SECRET = 'merchant_webhook_secret_0123456789';
const STOLEN = { type: 'card' as const, number: '4000000000009979' };
let receiver: MerchantReceiver;
let h: PaymentHarness;

beforeAll(async () => {
  receiver = await startMerchantReceiver(SECRET);
  h = await startPaymentHarness({ merchantWebhook: { url: receiver.url, secret: SECRET } });
});
afterAll(async () => {
  await h?.teardown();
  await receiver?.close();
});
beforeEach(() => receiver.failFirst(0));

const eventsOf = (paymentId: string) => receiver.events().filter((e) => e.data.paymentId === paymentId);

async function until(paymentId: string, type: string) {
  const found = await eventually(
    async () => eventsOf(paymentId),
    (events) => events.some((e) => e.type === type),
    20_000,
  );
  const event = found.find((e) => e.type === type);
  if (!event) throw new Error(`no ${type} for ${paymentId}; got ${found.map((e) => e.type).join(', ') || 'none'}`);
  return event;
}

it('announces a succeeded payment once, signed, retried while the endpoint answers 503', async () => {
  receiver.failFirst(2);
  const { paymentId } = await h.client.startPayment({
    idempotencyKey: uniqueKey('events-ok'),
    amount: 2500,
    currency: 'USD',
    paymentMethod: VISA,
  });
  const result = await h.client.result(paymentId);
  expect(result.status).toBe('succeeded');
  const event = await until(paymentId, 'payment.succeeded');
  expect(event.data).toMatchObject({ paymentId, status: 'succeeded', amount: 2500, currency: 'USD' });
  expect(event.data.chargeId).toBe(result.chargeId);

  // Two 503s, then accepted: three deliveries of one event, same id (header and body) and the same bytes.
  const tries = receiver.deliveries.filter((d) => d.event.id === event.id);
  expect(tries.map((d) => d.answered)).toEqual([503, 503, 200]);
  expect(tries.every((d) => d.signed && d.eventId === event.id && d.raw === tries[0].raw)).toBe(true);
  expect(tries[0].raw).not.toContain(VISA.number);
  // initiated and processing are steps, not news: this payment produced exactly one event.
  expect(eventsOf(paymentId).map((e) => e.type)).toEqual(['payment.succeeded']);
  const run = await h.env.client.workflow.getHandle(merchantEventWorkflowId(event.id)).result();
  expect(run).toEqual({ eventId: event.id, status: 200 });
});

it('announces a declined payment, a refund and a dispute', async () => {
  const declined = await h.client.startPayment({
    idempotencyKey: uniqueKey('events-declined'),
    amount: 1200,
    currency: 'EUR',
    paymentMethod: STOLEN,
  });
  expect((await h.client.result(declined.paymentId)).status).toBe('failed');
  const failed = await until(declined.paymentId, 'payment.failed');
  expect(failed.data).toMatchObject({ amount: 1200, currency: 'EUR', declineCode: 'stolen_card' });

  const { paymentId } = await h.client.startPayment({
    idempotencyKey: uniqueKey('events-refund'),
    amount: 3000,
    currency: 'USD',
    paymentMethod: VISA,
  });
  const paid = await h.client.result(paymentId);
  const refund = await h.client.refund(paymentId, { requestKey: `r-${randomUUID()}`, amount: 1000 });
  const created = await until(paymentId, 'refund.created');
  expect(created.data).toMatchObject({ refundId: refund.refundId, refundAmount: 1000, amountRefunded: 1000 });

  const res = await fetch(`${h.gateway.url}/_sandbox/disputes`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ charge: paid.chargeId, reason: 'fraudulent', due_in_ms: 600_000 }),
  });
  const dispute = (await res.json()) as GatewayDispute;
  await new DisputesClient(h.env.client, { taskQueue: h.taskQueue }).openDispute(dispute);
  const opened = await until(paymentId, 'dispute.created');
  expect(opened.data).toMatchObject({ disputeId: dispute.id, status: 'needs_response' });
  expect(eventsOf(paymentId).map((e) => e.type)).toEqual(['payment.succeeded', 'refund.created', 'dispute.created']);
});

it('delivers an event handed over twice (a retried audit write) once, and never again once delivered', async () => {
  const sink = temporalMerchantEvents(h.env.client, { taskQueue: h.taskQueue, policy: DEFAULT_DELIVERY_POLICY });
  const paymentId = `manual-${randomUUID()}`;
  const event = {
    id: `evt_${randomUUID().replace(/-/g, '')}`,
    type: 'payment.succeeded' as const,
    created: new Date().toISOString(),
    data: { paymentId, status: 'succeeded' },
  };
  await Promise.all([sink.emit(event), sink.emit(event)]);
  await h.env.client.workflow.getHandle(merchantEventWorkflowId(event.id)).result();
  await sink.emit(event);
  await new Promise((r) => setTimeout(r, 1_000));
  expect(receiver.deliveries.filter((d) => d.event.id === event.id)).toHaveLength(1);
});
