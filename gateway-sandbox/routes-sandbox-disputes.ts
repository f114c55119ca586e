/**
 * Test control for disputes and webhooks (`/_sandbox/…`, no auth, no faults): play the customer's bank (open a
 * dispute, decide it) and inspect or re-deliver the webhook events a receiver was sent.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { SandboxContext } from './context';
import { closeDispute, disputeRefusal, openDispute } from './disputes';
import { errorReply, type ErrorReply, resourceMissing } from './errors';
import {
  closeDisputeSchema,
  openDisputeSchema,
  parseWith,
  resendWebhookSchema,
  webhookEventsQuerySchema,
} from './schemas';
import type { WebhookEventList } from './types';

function sendError(reply: FastifyReply, error: ErrorReply): FastifyReply {
  return reply.code(error.status).send(error.body);
}

export function registerSandboxDisputeRoutes(app: FastifyInstance, ctx: SandboxContext): void {
  app.post('/_sandbox/disputes', async (request, reply) => {
    const body = parseWith(openDisputeSchema, request.body);
    if (!body.ok) return sendError(reply, body.reply);
    const { charge: chargeId, reason, amount, due_in_ms: dueInMs } = body.value;
    const charge = ctx.ledger.get(chargeId);
    if (!charge) return sendError(reply, resourceMissing(`No such charge: '${chargeId}'`));
    const refusal = disputeRefusal(ctx, charge, { reason, amount, dueInMs });
    if (refusal) return sendError(reply, refusal);
    return reply.code(201).send(openDispute(ctx, charge, { reason, amount, dueInMs }));
  });

  app.post<{ Params: { id: string } }>('/_sandbox/disputes/:id/close', async (request, reply) => {
    const body = parseWith(closeDisputeSchema, request.body);
    if (!body.ok) return sendError(reply, body.reply);
    const outcome = closeDispute(ctx, request.params.id, body.value.outcome);
    return reply.code(outcome.status).send(outcome.body);
  });

  app.get('/_sandbox/webhooks/events', async (request, reply) => {
    const query = parseWith(webhookEventsQuerySchema, request.query);
    if (!query.ok) return sendError(reply, query.reply);
    const list: WebhookEventList = { object: 'list', data: ctx.events.list({ type: query.value.type }) };
    return list;
  });

  // Re-delivery of the same event (same id, same body, a fresh signature) proves a receiver de-duplicates.
  app.post('/_sandbox/webhooks/resend', async (request, reply) => {
    const body = parseWith(resendWebhookSchema, request.body);
    if (!body.ok) return sendError(reply, body.reply);
    const eventId = body.value.event_id;
    if (!ctx.events.get(eventId)) return sendError(reply, resourceMissing(`No such event: '${eventId}'`));
    if (!ctx.events.resend(eventId)) {
      const message = 'No webhook URL is configured, so there is nowhere to deliver the event.';
      return sendError(
        reply,
        errorReply(409, { type: 'invalid_request_error', code: 'webhook_not_configured', message }),
      );
    }
    return reply.code(202).send({ event_id: eventId });
  });
}
