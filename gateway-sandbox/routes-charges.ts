/**
 * The card-processor API (`/v1/charges…`). Auth and fault hooks run before these handlers; every answer goes out
 * through `deliver`/`respondIdempotently` so injected latency and dropped responses apply uniformly.
 */
import type { FastifyInstance } from 'fastify';
import type { z } from 'zod';
import { cancelCharge, confirmCharge, createCharge, resolveCardNumber } from './charges';
import type { SandboxContext } from './context';
import { disputeScheduler } from './disputes';
import { errorReply, resourceMissing } from './errors';
import { deliver, deliverError } from './fault-hooks';
import {
  readIdempotencyKey,
  requireIdempotencyKey,
  respondIdempotently,
  serialize,
  type Outcome,
} from './idempotent-replies';
import { chargeListQuerySchema, chargeSchemaFor, confirmChargeSchema, parseWith } from './schemas';
import type { ChargeList, CreateChargeInput } from './types';

interface ChargeParams {
  id: string;
}

export function registerChargeRoutes(app: FastifyInstance, ctx: SandboxContext): void {
  const scheduleDispute = disputeScheduler(ctx);

  app.post('/v1/charges', async (request, reply) => {
    // Everything that can fail validation is checked before the key is claimed, so a 400 is never stored.
    const key = requireIdempotencyKey(request);
    if (!key.ok) return deliverError(request, reply, ctx, key.reply);
    const idempotencyKey = key.value;
    const input = parseWith(chargeSchemaFor(request.body) as z.ZodType<CreateChargeInput>, request.body);
    if (!input.ok) return deliverError(request, reply, ctx, input.reply);
    const card = resolveCardNumber(input.value.payment_method, ctx.paymentMethods);
    if (!card.ok) return deliverError(request, reply, ctx, card.reply);
    return respondIdempotently(request, reply, ctx, {
      scope: 'POST /v1/charges',
      key: idempotencyKey,
      work: () => createCharge(ctx.ledger, ctx.logger, input.value, card.number, idempotencyKey, scheduleDispute),
    });
  });

  // The status check after a timeout: finds charges whose creating response never reached the client.
  app.get('/v1/charges', async (request, reply) => {
    const query = parseWith(chargeListQuerySchema, request.query);
    if (!query.ok) return deliverError(request, reply, ctx, query.reply);
    return deliver(request, reply, ctx, () => {
      // A create still running under this key may yet charge: "no charge" would be a guess, so say it is in flight,
      // as Stripe answers a create replayed while the first is in progress.
      if (ctx.keys.lookup('POST /v1/charges', query.value.idempotency_key)?.state === 'in_flight') {
        return serialize(keyInUse());
      }
      const list: ChargeList = { object: 'list', data: [...ctx.ledger.byIdempotencyKey(query.value.idempotency_key)] };
      return serialize({ status: 200, body: list });
    });
  });

  app.get<{ Params: ChargeParams }>('/v1/charges/:id', async (request, reply) => {
    return deliver(request, reply, ctx, () => {
      const charge = ctx.ledger.get(request.params.id);
      return serialize(
        charge ? { status: 200, body: charge } : resourceMissing(`No such charge: '${request.params.id}'`),
      );
    });
  });

  registerChargeAction(app, ctx, 'cancel', (id) => cancelCharge(ctx.ledger, ctx.logger, id));
  registerChargeAction(app, ctx, 'confirm', (id) => confirmCharge(ctx.ledger, ctx.logger, id), confirmChargeSchema);
}

/**
 * `POST /v1/charges/:id/<action>`: an optional Idempotency-Key, then the work runs once per key. An unknown charge
 * is a bad parameter, not work done: answered before the key is claimed, so never stored.
 */
function registerChargeAction(
  app: FastifyInstance,
  ctx: SandboxContext,
  action: 'cancel' | 'confirm',
  work: (chargeId: string) => Outcome,
  bodySchema?: typeof confirmChargeSchema,
): void {
  app.post<{ Params: ChargeParams }>(`/v1/charges/:id/${action}`, async (request, reply) => {
    const key = readIdempotencyKey(request);
    if (!key.ok) return deliverError(request, reply, ctx, key.reply);
    const body = bodySchema ? parseWith(bodySchema, request.body) : undefined;
    if (body && !body.ok) return deliverError(request, reply, ctx, body.reply);
    if (!ctx.ledger.get(request.params.id)) {
      return deliverError(request, reply, ctx, resourceMissing(`No such charge: '${request.params.id}'`));
    }
    return respondIdempotently(request, reply, ctx, {
      scope: `POST /v1/charges/:id/${action}`,
      key: key.value,
      work: () => work(request.params.id),
    });
  });
}

function keyInUse() {
  const message = 'A request with this Idempotency-Key is still in progress; its outcome is not known yet.';
  return errorReply(409, { type: 'invalid_request_error', code: 'idempotency_key_in_use', message });
}
