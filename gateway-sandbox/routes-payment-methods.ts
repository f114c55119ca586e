/**
 * `POST /v1/payment_methods` and `GET /v1/payment_methods/:id` (Stripe's shape): the card-for-token exchange the
 * client makes before a payment starts. `POST /_sandbox/payment_methods/:id/automatic_update` plays the issuer's
 * card updater: the stored card changes and `payment_method.automatically_updated` is sent, as Stripe sends it.
 */
import type { FastifyInstance } from 'fastify';
import type { SandboxContext } from './context';
import { resourceMissing } from './errors';
import { deliver, deliverError } from './fault-hooks';
import { randomId } from './ids';
import { readIdempotencyKey, respondIdempotently, serialize } from './idempotent-replies';
import { cardOfToken } from './payment-methods';
import { automaticUpdateSchema, createPaymentMethodSchema, parseWith } from './schemas';

interface Params {
  id: string;
}

export function registerPaymentMethodRoutes(app: FastifyInstance, ctx: SandboxContext): void {
  app.post('/v1/payment_methods', async (request, reply) => {
    const key = readIdempotencyKey(request);
    if (!key.ok) return deliverError(request, reply, ctx, key.reply);
    const input = parseWith(createPaymentMethodSchema, request.body);
    if (!input.ok) return deliverError(request, reply, ctx, input.reply);
    const { card, metadata } = input.value;
    const newCard =
      'token' in card
        ? cardOfToken(card.token)
        : { number: card.number, expMonth: card.exp_month, expYear: card.exp_year };
    if (!newCard) {
      const token = 'token' in card ? card.token : '';
      return deliverError(request, reply, ctx, resourceMissing(`No such token: '${token}'`, 400));
    }
    return respondIdempotently(request, reply, ctx, {
      scope: 'POST /v1/payment_methods',
      key: key.value,
      work: () => {
        const created = ctx.paymentMethods.create(newCard, metadata ?? {});
        // Brand and last four only: the number stays in the store.
        ctx.logger.debug({ paymentMethod: created.id, last4: created.card.last4 }, 'payment method created');
        return { status: 200, body: created };
      },
    });
  });

  app.get<{ Params: Params }>('/v1/payment_methods/:id', async (request, reply) => {
    return deliver(request, reply, ctx, () => {
      const found = ctx.paymentMethods.get(request.params.id);
      return serialize(
        found ? { status: 200, body: found } : resourceMissing(`No such PaymentMethod: '${request.params.id}'`),
      );
    });
  });

  app.post<{ Params: Params }>('/_sandbox/payment_methods/:id/automatic_update', async (request, reply) => {
    const body = parseWith(automaticUpdateSchema, request.body ?? {});
    if (!body.ok) return reply.code(body.reply.status).send(body.reply.body);
    const current = ctx.paymentMethods.numberOf(request.params.id);
    if (current === undefined) {
      const missing = resourceMissing(`No such PaymentMethod: '${request.params.id}'`);
      return reply.code(missing.status).send(missing.body);
    }
    const { number, exp_month: expMonth, exp_year: expYear } = body.value;
    const updated = ctx.paymentMethods.replaceCard(request.params.id, { number: number ?? current, expMonth, expYear });
    if (!updated) return reply.code(404).send();
    const event = {
      id: randomId('evt'),
      type: 'payment_method.automatically_updated' as const,
      created: Math.floor(Date.now() / 1000),
      data: { object: updated },
    };
    ctx.events.emit(event);
    return { event_id: event.id, payment_method: updated };
  });
}
