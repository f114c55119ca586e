/**
 * `POST /webhooks/gateway`: the gateway's signed events. Authenticated by the signature, not an API key: an
 * HMAC-SHA256 over timestamp + the raw body (webhooks/signature.ts, shared with the sender), which is why this
 * route gets the body as a string and parses the JSON itself only after the signature checked out. Registered
 * as its own plugin so that its raw-body parser does not apply to any other route.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { DisputesClient } from '../client/disputes-client';
import type { PaymentsClient } from '../client/payments-client';
import type { Logger } from '../logging/logger';
import { SIGNATURE_HEADER, verifySignature } from '../webhooks/signature';
import { apiError, type ApiError } from './errors';
import { ERROR_RESPONSES, WebhookAck } from './schemas';
import { SeenEvents } from './webhook-dedup';
import { WEBHOOK_HANDLERS, WebhookEventSchema, type WebhookHandler } from './webhook-handlers';

export interface WebhookRoutesOptions {
  payments: PaymentsClient;
  disputes: DisputesClient;
  logger: Logger;
  secret: string;
  toleranceSeconds: number;
  /** Defaults to WEBHOOK_HANDLERS; tests may pass their own map. */
  handlers?: Readonly<Record<string, WebhookHandler>>;
  seenCapacity?: number;
}

const signatureHeader = SIGNATURE_HEADER.toLowerCase();

export async function webhookRoutes(fastify: FastifyInstance, options: WebhookRoutesOptions): Promise<void> {
  const handlers = options.handlers ?? WEBHOOK_HANDLERS;
  const seen = new SeenEvents(options.seenCapacity);
  const deps = { payments: options.payments, disputes: options.disputes, logger: options.logger };

  // Raw text for the signature. Only JSON is accepted (anything else is a 415), as the sender always sends it.
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    done(null, body);
  });

  fastify.withTypeProvider<ZodTypeProvider>().post(
    '/webhooks/gateway',
    {
      schema: {
        summary: 'Signed gateway events (Gateway-Signature: t=<unix s>,v1=<hex HMAC-SHA256("<t>.<body>")>)',
        tags: ['webhooks'],
        body: z.string().describe('The event as JSON: { id, type, created, data }'),
        response: { 200: WebhookAck, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const raw = request.body;
      const header = request.headers[signatureHeader];
      if (typeof header !== 'string' || header === '') {
        throw apiError('missing_signature');
      }
      if (!verifySignature(options.secret, raw, header, { toleranceSeconds: options.toleranceSeconds })) {
        throw signatureError(header, options.toleranceSeconds);
      }
      const event = parseEvent(raw);
      const handler = handlers[event.type];
      if (!handler) {
        options.logger.info({ eventId: event.id, type: event.type }, 'webhook of an unhandled type: ignored');
        return { received: true as const, ignored: true };
      }
      const outcome = await seen.once(event.id, () => handler(event, deps));
      if (outcome.duplicate) return { received: true as const, duplicate: true };
      options.logger.info({ eventId: event.id, type: event.type, outcome: outcome.value }, 'webhook handled');
      return outcome.value === 'ignored' ? { received: true as const, ignored: true } : { received: true as const };
    },
  );
}

/** Both are 401; the code says which, as Stripe's libraries do (an expired one points at clock skew or a replay). */
function signatureError(header: string, toleranceSeconds: number): ApiError {
  const timestamp = Number(/(?:^|,)t=(\d+)/.exec(header)?.[1]);
  const expired = Number.isInteger(timestamp) && Math.abs(Date.now() / 1000 - timestamp) > toleranceSeconds;
  return expired
    ? apiError('signature_expired', `The signature's timestamp is more than ${toleranceSeconds} s from now.`)
    : apiError('invalid_signature');
}

function parseEvent(raw: string) {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw apiError('invalid_json');
  }
  const parsed = WebhookEventSchema.safeParse(json);
  if (!parsed.success) {
    throw apiError('invalid_event', parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  }
  return parsed.data;
}
