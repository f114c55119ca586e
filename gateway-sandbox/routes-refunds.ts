/**
 * Refunds (`/v1/refunds…`), Stripe-shaped. Same pipeline as charges: auth and fault hooks first (a fault spec
 * targets refunds with `match: { path: '/v1/refunds' }`), a mandatory Idempotency-Key, validation before the key
 * is claimed, and every answer through `deliver`/`respondIdempotently`.
 */
import type { FastifyInstance } from 'fastify';
import type { SandboxContext } from './context';
import { invalidRequest, resourceMissing } from './errors';
import { deliver, deliverError } from './fault-hooks';
import { requireIdempotencyKey, respondIdempotently, serialize } from './idempotent-replies';
import { createRefund } from './refunds';
import { createRefundSchema, parseWith, refundListQuerySchema } from './schemas';
import type { RefundList } from './types';

export function registerRefundRoutes(app: FastifyInstance, ctx: SandboxContext): void {
  app.post('/v1/refunds', async (request, reply) => {
    const key = requireIdempotencyKey(request);
    if (!key.ok) return deliverError(request, reply, ctx, key.reply);
    const idempotencyKey = key.value;
    const input = parseWith(createRefundSchema, request.body);
    if (!input.ok) return deliverError(request, reply, ctx, input.reply);
    // An unknown charge is a bad parameter, not work done: answered before the key is claimed, so never stored.
    // Refusals that depend on the charge's state are work: they are decided atomically with the refund and stored.
    if (!ctx.ledger.get(input.value.charge)) {
      return deliverError(request, reply, ctx, resourceMissing(`No such charge: '${input.value.charge}'`));
    }
    return respondIdempotently(request, reply, ctx, {
      scope: 'POST /v1/refunds',
      key: idempotencyKey,
      work: () => createRefund(ctx.ledger, ctx.refunds, ctx.logger, input.value, idempotencyKey),
    });
  });

  // The status check after a timeout (`?idempotency_key=`), and a charge's refunds (`?charge=`).
  app.get('/v1/refunds', async (request, reply) => {
    const query = parseWith(refundListQuerySchema, request.query);
    if (!query.ok) return deliverError(request, reply, ctx, query.reply);
    const { charge, idempotency_key } = query.value;
    if (charge === undefined && idempotency_key === undefined) {
      const missing = invalidRequest('Missing required param: charge or idempotency_key.', 'parameter_missing');
      return deliverError(request, reply, ctx, missing);
    }
    return deliver(request, reply, ctx, () => {
      const list: RefundList = {
        object: 'list',
        data: ctx.refunds.list({ chargeId: charge, idempotencyKey: idempotency_key }),
      };
      return serialize({ status: 200, body: list });
    });
  });

  app.get<{ Params: { id: string } }>('/v1/refunds/:id', async (request, reply) => {
    return deliver(request, reply, ctx, () => {
      const refund = ctx.refunds.get(request.params.id);
      return serialize(
        refund ? { status: 200, body: refund } : resourceMissing(`No such refund: '${request.params.id}'`),
      );
    });
  });
}
