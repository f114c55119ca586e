/** Which audit rows become merchant events, with what data and id: the mapping alone (merchant-events/events.ts). */
import { disputeEvent, eventId, paymentEvent } from '../../merchant-events/events';

const at = new Date('2026-12-02T10:00:00Z');
const run = '0193a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b';
const row = (status: string, metadata: Record<string, unknown> = {}, seq = 3) =>
  ({ paymentId: 'pay-1', eventKey: `${run}:${seq}:${status}`, status, metadata }) as never;

it('announces the statuses a backend acts on, and no step in between', () => {
  const types = ['initiated', 'processing', 'pending_retry', 'unknown', 'requires_action', 'succeeded', 'failed']
    .concat(['cancelled', 'dead_lettered', 'terminated', 'awaiting_payment_method'])
    .map((s) => paymentEvent(row(s), at)?.type);
  expect(types).toEqual([
    undefined,
    undefined,
    undefined,
    undefined,
    'payment.requires_action',
    'payment.succeeded',
    'payment.failed',
    'payment.cancelled',
    'payment.dead_lettered',
    'payment.terminated',
    'payment.awaiting_payment_method',
  ]);
});

it('announces a refund only when money moved, or when the gateway said it did not', () => {
  expect(paymentEvent(row('partially_refunded', { refundId: 're_1', refundAmount: 500 }), at)?.type).toBe(
    'refund.created',
  );
  expect(paymentEvent(row('refunded', { refundOutcome: 'not_refunded' }), at)?.type).toBe('refund.failed');
  expect(paymentEvent(row('succeeded', { refundOutcome: 'unknown' }), at)?.type).toBe('payment.succeeded');
  expect(paymentEvent(row('partially_refunded', { refundOutcome: 'unknown' }), at)).toBeUndefined();
  // Rows of a refund written before any refund was made keep the status succeeded: a refund's news, not a payment's.
  expect(paymentEvent(row('succeeded', { refundSeq: 1, refundOutcome: 'refused' }), at)?.type).toBe('refund.failed');
  expect(paymentEvent(row('succeeded', { refundSeq: 1, refundOutcome: 'unknown' }), at)).toBeUndefined();
});

it('carries amounts, ids and the customer message, never a card, a gateway key or free-form extras', () => {
  const event = paymentEvent(
    row('failed', {
      amount: 2500,
      currency: 'USD',
      errorCode: 'stolen_card',
      declineClass: 'fraud',
      customerMessage: 'Your card was declined.',
      gatewayKey: 'pay-1:v1',
      paymentMethod: { type: 'card', number: '4242424242424242' },
      attempt: 1,
    }),
    at,
  );
  expect(event).toEqual({
    id: expect.stringMatching(/^evt_[0-9a-f]{32}$/),
    type: 'payment.failed',
    created: '2026-12-02T10:00:00.000Z',
    data: {
      paymentId: 'pay-1',
      status: 'failed',
      amount: 2500,
      currency: 'USD',
      declineCode: 'stolen_card',
      declineClass: 'fraud',
      customerMessage: 'Your card was declined.',
    },
  });
});

it('gives a reset run its replayed steps the same ids, and a step that came out otherwise a new one', () => {
  const other = '0193a1b2-0000-7e5f-8a9b-0c1d2e3f4a5b';
  expect(eventId('pay-1', `${run}:3:succeeded`)).toBe(eventId('pay-1', `${other}:3:succeeded`));
  expect(eventId('pay-1', `${run}:3:succeeded`)).not.toBe(eventId('pay-1', `${other}:3:failed`));
  expect(eventId('pay-1', `${run}:3:succeeded`)).not.toBe(eventId('pay-2', `${run}:3:succeeded`));
  expect(eventId('pay-1', '3:succeeded')).toBe(eventId('pay-1', `${run}:3:succeeded`)); // release 0.1 keys
});

it('announces disputes opening, submitted and closed', () => {
  const dispute = (status: string) =>
    disputeEvent({ disputeId: 'dp_1', paymentId: 'pay-1', eventKey: `${run}:1:${status}`, status } as never, at);
  expect(['needs_response', 'evidence_gathered', 'submitted', 'won', 'lost'].map((s) => dispute(s)?.type)).toEqual([
    'dispute.created',
    undefined,
    'dispute.submitted',
    'dispute.closed',
    'dispute.closed',
  ]);
  expect(dispute('won')?.data).toEqual({ disputeId: 'dp_1', paymentId: 'pay-1', status: 'won' });
});

it('keeps one event per refund and per dispute step, whichever run wrote the row', () => {
  const refundRow = (key: string, refundId: string) =>
    ({ paymentId: 'pay-1', eventKey: key, status: 'partially_refunded', metadata: { refundId } }) as never;
  const other = '0193a1b2-0000-7e5f-8a9b-0c1d2e3f4a5b';
  // A refunds run counts its steps from 1: a second refund in a later run must not look like the first.
  expect(paymentEvent(refundRow(`${run}:1:partially_refunded`, 're_1'), at)?.id).not.toBe(
    paymentEvent(refundRow(`${other}:1:partially_refunded`, 're_2'), at)?.id,
  );
  expect(paymentEvent(refundRow(`${run}:1:partially_refunded`, 're_1'), at)?.id).toBe(
    paymentEvent(refundRow(`${other}:4:partially_refunded`, 're_1'), at)?.id,
  );
  const dispute = (key: string) =>
    disputeEvent({ disputeId: 'dp_1', eventKey: key, status: 'submitted' } as never, at)?.id;
  expect(dispute(`${run}:3:submitted`)).toBe(dispute(`${other}:1:submitted`));
});

it('announces a queued payment as payment.delayed, once however often it is queued again', () => {
  const data = { queuedUntil: '2026-12-03T10:00:00.000Z', customerMessage: 'delayed', trust: 'flag' };
  const first = paymentEvent(row('queued', data, 3), at);
  const again = paymentEvent(row('queued', data, 6), at);
  expect(first).toMatchObject({
    type: 'payment.delayed',
    data: { status: 'queued', queuedUntil: data.queuedUntil, customerMessage: 'delayed' },
  });
  expect(first?.data).not.toHaveProperty('trust'); // not on the allow-list
  expect(again?.id).toBe(first?.id);
});

it("tells a graceful failure's alternatives to the merchant", () => {
  const failed = paymentEvent(
    row('failed', { reason: 'gateway_unavailable_not_charged', alternativePaymentMethods: 'PayPal, bank transfer' }),
    at,
  );
  expect(failed?.data).toMatchObject({
    reason: 'gateway_unavailable_not_charged',
    alternativePaymentMethods: 'PayPal, bank transfer',
  });
});
