/**
 * The signed dispute.created / dispute.closed webhooks, the sandbox's record of every event it sent, and the
 * resend that lets receivers prove they de-duplicate (same event id and body, freshly signed).
 */
import type { GatewaySandbox } from '../../gateway-sandbox/server';
import type {
  Charge,
  Dispute,
  DisputeEvent,
  GatewayErrorBody,
  WebhookEvent,
  WebhookEventList,
} from '../../gateway-sandbox/types';
import { verifySignature } from '../../webhooks/signature';
import {
  cardCharge,
  newKey,
  type ReceivedWebhook,
  SandboxClient,
  startSandbox,
  startWebhookReceiver,
  waitFor,
  type WebhookReceiver,
} from './helpers';

const WEBHOOK_SECRET = 'whsec_dispute_secret';

let receiver: WebhookReceiver;
let sandbox: GatewaySandbox;
let api: SandboxClient;

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  sandbox = await startSandbox({ webhook: { url: receiver.url, secret: WEBHOOK_SECRET } });
  api = new SandboxClient(sandbox.url);
});

afterAll(async () => {
  await sandbox.close();
  await receiver.close();
});

function deliveries(predicate: (event: WebhookEvent) => boolean): ReceivedWebhook[] {
  return receiver.received.filter((webhook) => predicate(webhook.event));
}

function isDisputeEvent(event: WebhookEvent, type: DisputeEvent['type'], chargeId: string): event is DisputeEvent {
  return event.type === type && event.data.charge_id === chargeId;
}

async function awaitDelivery(type: DisputeEvent['type'], chargeId: string): Promise<ReceivedWebhook> {
  await waitFor(() => deliveries((event) => isDisputeEvent(event, type, chargeId)).length > 0);
  return deliveries((event) => isDisputeEvent(event, type, chargeId))[0];
}

function expectSigned(webhook: ReceivedWebhook): void {
  const signature = String(webhook.headers['gateway-signature']);
  expect(signature).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
  expect(verifySignature(WEBHOOK_SECRET, webhook.body, signature)).toBe(true);
  expect(verifySignature('whsec_wrong', webhook.body, signature)).toBe(false);
}

describe('dispute.created', () => {
  it('is sent, signed, for a charge on test card 4000000000000259', async () => {
    const key = newKey('disputed');
    const metadata = { payment_id: 'pay_dw1' };
    const charge = (await api.createCharge<Charge>(cardCharge('4000000000000259', { metadata }), key)).body;
    expect(charge.status).toBe('succeeded');

    const webhook = await awaitDelivery('dispute.created', charge.id);
    expectSigned(webhook);
    expect(webhook.event).toEqual({
      id: expect.stringMatching(/^evt_[0-9a-f]{24}$/),
      type: 'dispute.created',
      created: expect.any(Number),
      data: {
        dispute: expect.objectContaining({
          id: expect.stringMatching(/^dp_/),
          object: 'dispute',
          charge: charge.id,
          amount: 1999,
          currency: 'usd',
          reason: 'fraudulent',
          status: 'needs_response',
          metadata,
        }),
        charge_id: charge.id,
        idempotency_key: key,
        metadata,
      },
    });
    const dispute = (webhook.event as DisputeEvent).data.dispute;
    expect((await api.request<Dispute>('GET', `/v1/disputes/${dispute.id}`)).body).toEqual(dispute);
  });
});

describe('dispute.closed', () => {
  it.each(['won', 'lost'] as const)('is sent when the bank decides %s', async (outcome) => {
    const key = newKey('closed');
    const charge = (await api.createCharge<Charge>(cardCharge('4242424242424242', { metadata: { o: outcome } }), key))
      .body;
    const opened = await api.request<Dispute>('POST', '/_sandbox/disputes', { charge: charge.id, reason: 'general' });
    expect(opened.status).toBe(201);
    await api.request('POST', `/v1/disputes/${opened.body.id}`, { evidence: { receipt: 'file_1' } });
    await api.request('POST', `/_sandbox/disputes/${opened.body.id}/close`, { outcome });

    const webhook = await awaitDelivery('dispute.closed', charge.id);
    expectSigned(webhook);
    expect(webhook.event).toMatchObject({
      type: 'dispute.closed',
      data: {
        dispute: { id: opened.body.id, status: outcome, evidence: { receipt: 'file_1' } },
        charge_id: charge.id,
        idempotency_key: key,
        metadata: { o: outcome },
      },
    });
    // The created event was a snapshot: it still shows the dispute as it was when opened.
    const created = await awaitDelivery('dispute.created', charge.id);
    expect((created.event as DisputeEvent).data.dispute.status).toBe('needs_response');
  });
});

describe('event log and resend', () => {
  it('lists every sent event, including 3DS results, and filters by type', async () => {
    const threeDs = (await api.createCharge<Charge>(cardCharge('4000000000003220'), newKey())).body;
    await api.request('POST', `/_sandbox/3ds/${threeDs.id}`, { result: 'succeeded' });
    const disputed = (await api.createCharge<Charge>(cardCharge('4242424242424242'), newKey())).body;
    await api.request('POST', '/_sandbox/disputes', { charge: disputed.id, reason: 'general' });

    const all = (await api.request<WebhookEventList>('GET', '/_sandbox/webhooks/events')).body.data;
    const threeDsEvent = all.find(
      (event) => event.type === 'charge.3ds_completed' && event.data.charge_id === threeDs.id,
    );
    expect(threeDsEvent).toBeDefined();
    const onlyCreated = await api.request<WebhookEventList>('GET', '/_sandbox/webhooks/events?type=dispute.created');
    expect(onlyCreated.body.data.every((event) => event.type === 'dispute.created')).toBe(true);
    expect(
      onlyCreated.body.data.some((event) => event.type === 'dispute.created' && event.data.charge_id === disputed.id),
    ).toBe(true);
    expect(onlyCreated.body.data.length).toBeLessThan(all.length);
  });

  it('re-delivers the same event id and body, freshly signed', async () => {
    const charge = (await api.createCharge<Charge>(cardCharge('4242424242424242'), newKey())).body;
    await api.request('POST', '/_sandbox/disputes', { charge: charge.id, reason: 'duplicate' });
    const original = await awaitDelivery('dispute.created', charge.id);

    const resent = await api.request<{ event_id: string }>('POST', '/_sandbox/webhooks/resend', {
      event_id: original.event.id,
    });
    expect(resent).toMatchObject({ status: 202, body: { event_id: original.event.id } });
    await waitFor(() => deliveries((event) => event.id === original.event.id).length === 2);

    const [, again] = deliveries((event) => event.id === original.event.id);
    expect(again.body).toBe(original.body);
    expectSigned(again);
    const listed = (await api.request<WebhookEventList>('GET', '/_sandbox/webhooks/events')).body.data;
    expect(listed.filter((event) => event.id === original.event.id)).toEqual([original.event]);
  });

  it('answers 404 for an unknown event and 400 for a missing event_id', async () => {
    const missing = await api.request<GatewayErrorBody>('POST', '/_sandbox/webhooks/resend', { event_id: 'evt_nope' });
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('resource_missing');
    expect((await api.request('POST', '/_sandbox/webhooks/resend', {})).status).toBe(400);
  });

  it('keeps events without a webhook URL, but has nowhere to resend them (409)', async () => {
    const silent = await startSandbox();
    try {
      const client = new SandboxClient(silent.url);
      const charge = (await client.createCharge<Charge>(cardCharge('4242424242424242'), newKey())).body;
      await client.request('POST', '/_sandbox/disputes', { charge: charge.id, reason: 'general' });
      const [event] = (await client.request<WebhookEventList>('GET', '/_sandbox/webhooks/events')).body.data;
      expect(event).toMatchObject({ type: 'dispute.created', data: { charge_id: charge.id } });

      const resend = await client.request<GatewayErrorBody>('POST', '/_sandbox/webhooks/resend', {
        event_id: event.id,
      });
      expect(resend.status).toBe(409);
      expect(resend.body.error.code).toBe('webhook_not_configured');
    } finally {
      await silent.close();
    }
  });
});
