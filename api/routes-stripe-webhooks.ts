/**
 * `POST /webhooks/stripe`: Stripe's own signed events (stripe-webhook-handlers.ts says what each does). Verified
 * with the official package (`stripe.webhooks.constructEvent`) over the raw body exactly as received, against the
 * endpoint's signing secret, with a timestamp tolerance against replays. Nothing is parsed, and nothing happens,
 * before that check passed; a failed check is a 400 as Stripe documents. Registered as its own plugin so its
 * raw-body parser applies to this route only.
 *
 * Answers: a handled event 200; a duplicate delivery (same event id) 200 `duplicate`, its handler not run again;
 * an unknown type, or a valid event naming nothing of ours, 200 `ignored` (logged); a failure a retry may cure
 * (Temporal or Stripe unreachable) 5xx, so Stripe redelivers.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import Stripe from 'stripe';
import { z } from 'zod';
import { apiError } from './errors';
import { ERROR_RESPONSES, WebhookAck } from './schemas';
import { StripeEventShapeError, STRIPE_WEBHOOK_HANDLERS, type StripeHandlerDeps } from './stripe-webhook-handlers';
import { SeenEvents } from './webhook-dedup';

export interface StripeWebhookRoutesOptions extends StripeHandlerDeps {
  /** The endpoint's signing secret (`whsec_…`). */
  secret: string;
  toleranceSeconds: number;
  seenCapacity?: number;
}

const HEADER = 'stripe-signature';

export async function stripeWebhookRoutes(fastify: FastifyInstance, options: StripeWebhookRoutesOptions) {
  const { secret, toleranceSeconds, logger } = options;
  const deps: StripeHandlerDeps = {
    payments: options.payments,
    disputes: options.disputes,
    logger,
    paymentIdOfIntent: options.paymentIdOfIntent,
  };
  const seen = new SeenEvents(options.seenCapacity);

  // The signature covers the bytes Stripe sent: keep the text as it came (a re-serialised body would not verify).
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    done(null, body);
  });

  fastify.withTypeProvider<ZodTypeProvider>().post(
    '/webhooks/stripe',
    {
      schema: {
        summary: "Stripe's events, verified by the Stripe-Signature header (stripe.webhooks.constructEvent)",
        tags: ['webhooks'],
        body: z.string().describe('A Stripe Event object as JSON'),
        response: { 200: WebhookAck, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const header = request.headers[HEADER];
      if (typeof header !== 'string' || header === '') throw apiError('missing_stripe_signature');
      const event = verified(request.body, header, secret, toleranceSeconds);
      const handler = STRIPE_WEBHOOK_HANDLERS[event.type];
      if (!handler) {
        logger.info({ eventId: event.id, type: event.type }, 'Stripe event of an unhandled type: ignored');
        return { received: true as const, ignored: true };
      }
      const outcome = await seen.once(event.id, () => handle(handler, event));
      if (outcome.duplicate) return { received: true as const, duplicate: true };
      logger.info({ eventId: event.id, type: event.type, outcome: outcome.value }, 'Stripe event handled');
      return outcome.value === 'ignored' ? { received: true as const, ignored: true } : { received: true as const };
    },
  );

  async function handle(handler: (typeof STRIPE_WEBHOOK_HANDLERS)[string], event: Stripe.Event) {
    try {
      return await handler(event, deps);
    } catch (err) {
      // Signed by Stripe but not in the shape we read: a 400 that Stripe retries and its dashboard shows failing,
      // so a fix deployed within its three days of retries still processes the event.
      if (err instanceof StripeEventShapeError) {
        logger.error({ eventId: event.id, type: event.type, err: err.message }, 'Stripe event not understood');
        throw apiError('invalid_event', err.message);
      }
      throw err;
    }
  }
}

/** The event, if the header signs this body with our secret within the tolerance; else a 400. */
function verified(body: string, header: string, secret: string, toleranceSeconds: number): Stripe.Event {
  try {
    return Stripe.webhooks.constructEvent(body, header, secret, toleranceSeconds);
  } catch (err) {
    // The body is parsed only after the signature verified: a SyntaxError is a signed body that is not JSON.
    if (err instanceof SyntaxError) throw apiError('invalid_json');
    // Any other failure is the header's: the package's StripeSignatureVerificationError, and plain Errors for
    // some malformed headers (an empty `v1=` fails inside its comparison).
    const detail = err instanceof Stripe.errors.StripeSignatureVerificationError ? err.message : undefined;
    throw apiError('invalid_stripe_signature', detail);
  }
}
