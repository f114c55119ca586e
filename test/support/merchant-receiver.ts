/**
 * A merchant's webhook endpoint on loopback, as a backend would write one: it checks each delivery's signature
 * against the raw body and keeps every delivery (so tests see retries) and each event once by its id.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MerchantEvent } from '../../shared/merchant-events';
import { verifySignature } from '../../webhooks/signature';

export interface Delivery {
  eventId: string | undefined;
  event: MerchantEvent;
  raw: string;
  signed: boolean;
  answered: number;
}

export interface MerchantReceiver {
  url: string;
  deliveries: Delivery[];
  /** Events accepted (2xx), once each by id, in the order first accepted. */
  events(): MerchantEvent[];
  /** The next `n` deliveries of every event answer 503 before one is accepted. */
  failFirst(n: number): void;
  close(): Promise<void>;
}

export async function startMerchantReceiver(secret: string): Promise<MerchantReceiver> {
  const deliveries: Delivery[] = [];
  const accepted = new Map<string, MerchantEvent>();
  let failures = 0;
  const seen = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const event = JSON.parse(raw) as MerchantEvent;
      const signed = verifySignature(secret, raw, String(req.headers['payments-signature'] ?? ''));
      const tries = (seen.get(event.id) ?? 0) + 1;
      seen.set(event.id, tries);
      const answered = !signed ? 400 : tries <= failures ? 503 : 200;
      const eventId = req.headers['payments-event-id'];
      deliveries.push({ eventId: typeof eventId === 'string' ? eventId : undefined, event, raw, signed, answered });
      if (answered === 200 && !accepted.has(event.id)) accepted.set(event.id, event);
      res.writeHead(answered).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/payments`,
    deliveries,
    events: () => [...accepted.values()],
    failFirst: (n) => (failures = n),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
