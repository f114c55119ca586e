/** The signed charge.3ds_completed webhook: content, signature, retries, and never blocking the API. */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { GatewaySandbox } from '../../gateway-sandbox/server';
import type { Charge, WebhookEvent } from '../../gateway-sandbox/types';
import { verifySignature } from '../../gateway-sandbox/webhooks';
import { cardCharge, newKey, SandboxClient, startSandbox, waitFor } from './helpers';

const WEBHOOK_SECRET = 'whsec_test_secret';

interface ReceivedWebhook {
  headers: IncomingHttpHeaders;
  body: string;
}

/** A webhook receiver that refuses the first delivery of every event with a 500, to prove the sandbox retries. */
function startReceiver(): Promise<{ server: Server; url: string; received: ReceivedWebhook[] }> {
  const received: ReceivedWebhook[] = [];
  const seenEventIds = new Set<string>();
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      received.push({ headers: request.headers, body });
      const eventId = (JSON.parse(body) as WebhookEvent).id;
      response.writeHead(seenEventIds.has(eventId) ? 200 : 500).end();
      seenEventIds.add(eventId);
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({ server, url: `http://127.0.0.1:${port}/webhooks`, received });
    });
  });
}

let receiver: Awaited<ReturnType<typeof startReceiver>>;
let sandbox: GatewaySandbox;
let api: SandboxClient;

beforeAll(async () => {
  receiver = await startReceiver();
  sandbox = await startSandbox({ webhook: { url: receiver.url, secret: WEBHOOK_SECRET } });
  api = new SandboxClient(sandbox.url);
});

afterAll(async () => {
  await sandbox.close();
  await new Promise((resolve) => receiver.server.close(resolve));
});

async function createThreeDsCharge(metadata: Record<string, string>): Promise<Charge> {
  const response = await api.createCharge<Charge>(cardCharge('4000002760003184', { metadata }), newKey('3ds'));
  expect(response.body.status).toBe('requires_action');
  return response.body;
}

describe('webhook', () => {
  it('posts a signed charge.3ds_completed event, retrying after a refused delivery', async () => {
    const charge = await createThreeDsCharge({ payment_id: 'pay_42' });
    await api.request('POST', `/_sandbox/3ds/${charge.id}`, { result: 'succeeded' });
    const forCharge = () => receiver.received.filter((webhook) => webhook.body.includes(charge.id));
    await waitFor(() => forCharge().length >= 2);

    const [refused, delivered] = forCharge();
    const event = JSON.parse(delivered.body) as WebhookEvent;
    expect(event).toEqual({
      id: expect.stringMatching(/^evt_/),
      type: 'charge.3ds_completed',
      created: expect.any(Number),
      data: {
        charge_id: charge.id,
        result: 'succeeded',
        idempotency_key: charge.idempotency_key,
        metadata: { payment_id: 'pay_42' },
      },
    });
    expect((JSON.parse(refused.body) as WebhookEvent).id).toBe(event.id);

    const signature = String(delivered.headers['gateway-signature']);
    expect(signature).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(verifySignature(WEBHOOK_SECRET, delivered.body, signature)).toBe(true);
    expect(verifySignature('whsec_wrong', delivered.body, signature)).toBe(false);
    expect(verifySignature(WEBHOOK_SECRET, delivered.body.replace('succeeded', 'failed'), signature)).toBe(false);
  });

  it('does not delay the API answer while the receiver is down', async () => {
    const deadReceiver = await startSandbox({ webhook: { url: 'http://127.0.0.1:9/unreachable', secret: 's' } });
    try {
      const client = new SandboxClient(deadReceiver.url);
      const created = await client.createCharge<Charge>(cardCharge('4000000000003220'), newKey());
      const started = Date.now();
      const result = await client.request('POST', `/_sandbox/3ds/${created.body.id}`, { result: 'failed' });
      expect(result.status).toBe(200);
      expect(Date.now() - started).toBeLessThan(200);
    } finally {
      await deadReceiver.close();
    }
  });
});
