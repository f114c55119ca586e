/**
 * Disputes as the merchant sees them (`/v1/disputes…`): read one, find a charge's, and Stripe's "update dispute"
 * to stage or submit evidence. The update honours an optional Idempotency-Key exactly as confirm does.
 */
import type { FastifyInstance } from 'fastify';
import type { SandboxContext } from './context';
import { viewDispute } from './dispute-store';
import { updateDispute } from './disputes';
import { resourceMissing } from './errors';
import { deliver, deliverError } from './fault-hooks';
import { readIdempotencyKey, respondIdempotently, serialize } from './idempotent-replies';
import { disputeListQuerySchema, parseWith, updateDisputeSchema } from './schemas';
import type { DisputeList } from './types';

interface DisputeParams {
  id: string;
}

export function registerDisputeRoutes(app: FastifyInstance, ctx: SandboxContext): void {
  app.get('/v1/disputes', async (request, reply) => {
    const query = parseWith(disputeListQuerySchema, request.query);
    if (!query.ok) return deliverError(request, reply, ctx, query.reply);
    return deliver(request, reply, ctx, () => {
      const list: DisputeList = { object: 'list', data: ctx.disputes.list({ chargeId: query.value.charge }) };
      return serialize({ status: 200, body: list });
    });
  });

  app.get<{ Params: DisputeParams }>('/v1/disputes/:id', async (request, reply) => {
    return deliver(request, reply, ctx, () => {
      const dispute = ctx.disputes.get(request.params.id);
      return serialize(
        dispute
          ? { status: 200, body: viewDispute(dispute) }
          : resourceMissing(`No such dispute: '${request.params.id}'`),
      );
    });
  });

  app.post<{ Params: DisputeParams }>('/v1/disputes/:id', async (request, reply) => {
    const key = readIdempotencyKey(request);
    if (!key.ok) return deliverError(request, reply, ctx, key.reply);
    const input = parseWith(updateDisputeSchema, request.body ?? {});
    if (!input.ok) return deliverError(request, reply, ctx, input.reply);
    if (!ctx.disputes.get(request.params.id)) {
      return deliverError(request, reply, ctx, resourceMissing(`No such dispute: '${request.params.id}'`));
    }
    return respondIdempotently(request, reply, ctx, {
      scope: 'POST /v1/disputes/:id',
      key: key.value,
      work: () => updateDispute(ctx, request.params.id, input.value),
    });
  });
}
