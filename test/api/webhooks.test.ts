/**
 * The gateway webhook receiver: the 3DS loop end to end through the sandbox's signed webhook, signature
 * checks (nothing reaches the payment without a valid one), de-duplication by event id, and retries of events
 * whose processing failed.
 */
import { randomUUID } from 'node:crypto';
import { createApiServer } from '../../api/server';
import type { WebhookHandler } from '../../api/webhook-handlers';
import { paymentIdFromKey } from '../../client/payment-id';
import type { PaymentsClient } from '../../client/payments-client';
import { createLogger } from '../../logging/logger';
import { paymentWorkflowId } from '../../shared/ids';
import { signPayload, SIGNATURE_HEADER } from '../../webhooks/signature';
import { customerCompletes3DS, ledgerFor } from '../support/gateway-admin';
import { uniqueKey } from '../support/payment-harness';
import { waitForStatus } from '../support/wait';
import {
  expectApiError,
  listenOnLoopback,
  payment,
  startApiHarness,
  THREE_DS,
  WEBHOOK_SECRET,
  type ApiHarness,
} from './api-harness';

let api: ApiHarness;
beforeAll(async () => {
  api = await startApiHarness();
});
afterAll(async () => {
  await api?.teardown();
});

/** Starts a 3DS payment through the API and waits until it is parked in requires_action. */
async function parkedIn3DS(label: string): Promise<{ paymentId: string; chargeId: string }> {
  const key = uniqueKey(label);
  const paymentId = paymentIdFromKey(key);
  expect((await api.pay(key, payment(THREE_DS))).status).toBe(201);
  const state = await waitForStatus(api.h.client, paymentId, 'requires_action');
  return { paymentId, chargeId: state.chargeId as string };
}

function threeDSEvent(paymentId: string, chargeId: string, result: 'succeeded' | 'failed', id = `evt_${randomUUID()}`) {
  return {
    id,
    type: 'charge.3ds_completed',
    created: Math.floor(Date.now() / 1000),
    data: { charge_id: chargeId, result, idempotency_key: `${paymentId}:v1`, metadata: { payment_id: paymentId } },
  };
}

async function signalsReceived(paymentId: string): Promise<number> {
  const history = await api.h.env.client.workflow.getHandle(paymentWorkflowId(paymentId)).fetchHistory();
  return (history.events ?? []).filter((e) => e.workflowExecutionSignaledEventAttributes).length;
}

describe('3DS through the gateway webhook', () => {
  it('succeeds after the customer authenticates at the gateway, with no hand-sent signal', async () => {
    const { paymentId, chargeId } = await parkedIn3DS('wh-3ds');
    const parked = await api.call('GET', `/payments/${paymentId}`);
    expect(parked.body).toMatchObject({ status: 'requires_action', chargeId });

    await customerCompletes3DS(api.h.gateway.url, chargeId, 'succeeded');
    const settled = await api.call('GET', `/payments/${paymentId}?wait=5s`);
    expect(settled.body).toMatchObject({ status: 'succeeded', chargeId });
    expect(await signalsReceived(paymentId)).toBe(1);
    const ledger = await ledgerFor(api.h.gateway.url, paymentId);
    expect(ledger.map((c) => [c.id, c.status])).toEqual([[chargeId, 'succeeded']]);
  });
});

describe('signatures', () => {
  it('refuses a missing, wrong, tampered or expired signature, and the payment hears nothing', async () => {
    const { paymentId, chargeId } = await parkedIn3DS('wh-sig');
    const event = threeDSEvent(paymentId, chargeId, 'failed');
    const raw = JSON.stringify(event);
    const now = Math.floor(Date.now() / 1000);

    expectApiError(await api.webhook(event, { signature: null }), 400, 'missing_signature');
    expectApiError(await api.webhook(event, { secret: 'another_secret_0123456789' }), 401, 'invalid_signature');
    const tampered = JSON.stringify(threeDSEvent(paymentId, chargeId, 'succeeded', event.id));
    expectApiError(
      await api.webhook(tampered, { signature: signPayload(WEBHOOK_SECRET, raw, now) }),
      401,
      'invalid_signature',
    );
    expectApiError(await api.webhook(event, { signature: 't=abc,v1=00' }), 401, 'invalid_signature');
    const expired = await api.webhook(event, { timestamp: now - 301 });
    expect(expectApiError(expired, 401, 'signature_expired').message).toMatch(/300 s/);
    expect(expired.body.error.type).toBe('authentication_error');

    expect(await signalsReceived(paymentId)).toBe(0);
    expect((await api.call('GET', `/payments/${paymentId}`)).body.status).toBe('requires_action');

    // The same event, correctly signed, is then accepted: the refusals above did not mark it as seen.
    expect((await api.webhook(event)).body).toEqual({ received: true });
    expect((await api.call('GET', `/payments/${paymentId}?wait=5s`)).body.status).toBe('cancelled');
  });

  it('needs JSON: another content type is a 415, a signed non-JSON body a 400', async () => {
    const form = await api.call('POST', '/webhooks/gateway', {
      rawBody: 'id=evt_1',
      headers: { 'content-type': 'application/x-www-form-urlencoded', [SIGNATURE_HEADER]: 't=1,v1=00' },
      key: null,
    });
    expectApiError(form, 415, 'unsupported_media_type');
    expectApiError(await api.webhook('{"id": "evt_1",'), 400, 'invalid_json');
    expectApiError(await api.webhook({ id: 'evt_2', type: 'charge.3ds_completed' }), 400, 'invalid_event');
    const noCharge = { id: 'evt_3', type: 'charge.3ds_completed', created: 1, data: { result: 'succeeded' } };
    expect(expectApiError(await api.webhook(noCharge), 400, 'invalid_event').message).toMatch(/data\.charge_id/);
  });
});

describe('de-duplication', () => {
  it('processes a replayed event once, also when copies arrive at the same time', async () => {
    const { paymentId, chargeId } = await parkedIn3DS('wh-dup');
    const event = threeDSEvent(paymentId, chargeId, 'failed');
    const together = await Promise.all([api.webhook(event), api.webhook(event), api.webhook(event)]);
    expect(together.map((a) => a.status)).toEqual([200, 200, 200]);
    expect(together.filter((a) => a.body.duplicate === true)).toHaveLength(2);
    expect(together.filter((a) => a.body.duplicate === undefined)).toEqual([
      expect.objectContaining({ body: { received: true } }),
    ]);

    const later = await api.webhook(event);
    expect(later.status).toBe(200);
    expect(later.body).toEqual({ received: true, duplicate: true });
    expect((await api.call('GET', `/payments/${paymentId}?wait=5s`)).body.status).toBe('cancelled');
    expect(await signalsReceived(paymentId)).toBe(1);
  });

  it('acknowledges and ignores unknown event types and events for no running payment', async () => {
    const unknown = await api.webhook({ id: `evt_${randomUUID()}`, type: 'charge.captured', created: 1, data: {} });
    expect(unknown.status).toBe(200);
    expect(unknown.body).toEqual({ received: true, ignored: true });

    const noPayment = threeDSEvent(randomUUID(), 'ch_nobody', 'succeeded');
    expect((await api.webhook(noPayment)).body).toEqual({ received: true, ignored: true });
  });

  it('does not remember an event whose processing failed, so the redelivery is processed', async () => {
    let calls = 0;
    const flaky: WebhookHandler = async () => {
      calls += 1;
      if (calls === 1) throw new Error('Temporal hiccup');
      return 'processed';
    };
    const app = createApiServer({
      payments: {} as PaymentsClient,
      disputes: api.disputes,
      logger: createLogger({ level: 'silent' }),
      apiKeys: ['unused_key_0123456789'],
      webhookSecret: WEBHOOK_SECRET,
      webhookToleranceSeconds: 300,
      maxWaitMs: 1000,
      webhookHandlers: { 'test.event': flaky },
    });
    try {
      const url = await listenOnLoopback(app);
      const body = JSON.stringify({ id: 'evt_flaky', type: 'test.event', created: 1, data: {} });
      const deliver = async () => {
        const res = await fetch(`${url}/webhooks/gateway`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            [SIGNATURE_HEADER]: signPayload(WEBHOOK_SECRET, body, Math.floor(Date.now() / 1000)),
          },
          body,
        });
        return { status: res.status, body: (await res.json()) as unknown };
      };
      const failed = await deliver();
      expect(failed).toEqual({
        status: 500,
        body: { error: { type: 'api_error', code: 'internal_error', message: 'internal error' } },
      });
      expect(await deliver()).toEqual({ status: 200, body: { received: true } });
      expect(await deliver()).toEqual({ status: 200, body: { received: true, duplicate: true } });
      expect(calls).toBe(2);
    } finally {
      await app.close();
    }
  });
});
