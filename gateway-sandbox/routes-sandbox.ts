/**
 * Test-control routes (`/_sandbox/*`, `/health`): no auth, no faults. They let tests script failures, play the
 * customer's 3DS step, and read the ledger to prove that no payment was charged (or refunded) twice. Disputes and
 * webhook events have their own file, `routes-sandbox-disputes.ts`.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { SandboxContext } from './context';
import { errorReply, type ErrorReply, resourceMissing } from './errors';
import { threeDsCompletedEvent } from './events';
import { faultSpecSchema } from './fault-queue';
import { ledgerQuerySchema, parseWith, threeDsResultSchema } from './schemas';
import type { LedgerResponse } from './types';

function sendError(reply: FastifyReply, error: ErrorReply): FastifyReply {
  return reply.code(error.status).send(error.body);
}

export function registerSandboxRoutes(app: FastifyInstance, ctx: SandboxContext): void {
  app.get('/health', async () => ({ ok: true }));

  app.post('/_sandbox/faults', async (request, reply) => {
    const spec = parseWith(faultSpecSchema, request.body);
    if (!spec.ok) return sendError(reply, spec.reply);
    const fault = ctx.faults.add(spec.value);
    ctx.logger.info({ fault }, 'fault added');
    return reply.code(201).send({ id: fault.id });
  });

  app.get('/_sandbox/faults', async () => ({ faults: ctx.faults.list() }));

  app.delete('/_sandbox/faults', async () => ({ deleted: ctx.faults.clear() }));

  app.delete<{ Params: { id: string } }>('/_sandbox/faults/:id', async (request, reply) => {
    if (!ctx.faults.remove(request.params.id)) return sendError(reply, resourceMissing('No such fault.'));
    return { deleted: 1 };
  });

  app.get('/_sandbox/ledger', async (request, reply) => {
    const query = parseWith(ledgerQuerySchema, request.query);
    if (!query.ok) return sendError(reply, query.reply);
    const { idempotency_key: idempotencyKey, status, charge: chargeId } = query.value;
    const response: LedgerResponse = {
      charges: ctx.ledger.list({ idempotencyKey, status, chargeId }),
      refunds: ctx.refunds.list({ chargeId }),
      disputes: ctx.disputes.list({ chargeId }),
    };
    return response;
  });

  app.get('/_sandbox/requests', async () => ({ requests: ctx.requests.list() }));

  app.post('/_sandbox/reset', async () => {
    ctx.requests.clear();
    ctx.ledger.clear();
    ctx.refunds.clear();
    ctx.disputes.clear();
    ctx.events.clear();
    ctx.keys.clear();
    ctx.faults.clear();
    ctx.logger.info('sandbox reset');
    return { ok: true };
  });

  app.post<{ Params: { chargeId: string } }>('/_sandbox/3ds/:chargeId', async (request, reply) => {
    const body = parseWith(threeDsResultSchema, request.body);
    if (!body.ok) return sendError(reply, body.reply);
    const charge = ctx.ledger.get(request.params.chargeId);
    if (!charge) return sendError(reply, resourceMissing(`No such charge: '${request.params.chargeId}'`));
    // One customer answer per challenge: a second one, or one for a charge not in 3DS, is a test bug.
    if (charge.status !== 'requires_action' || ctx.ledger.threeDsResult(charge.id) !== undefined) {
      const message = `Charge ${charge.id} is not awaiting 3DS authentication (status ${charge.status}).`;
      return sendError(
        reply,
        errorReply(409, { type: 'invalid_request_error', code: 'charge_not_awaiting_3ds', message }),
      );
    }
    ctx.ledger.setThreeDsResult(charge.id, body.value.result);
    ctx.events.emit(threeDsCompletedEvent(charge, body.value.result));
    return { charge_id: charge.id, result: body.value.result };
  });
}
