/**
 * What each gateway event does. One handler per event type, looked up in WEBHOOK_HANDLERS; to handle a new
 * event (refunds, …) add a function and an entry here, nothing else changes. Unknown types are
 * acknowledged and ignored by the receiver.
 *
 * Every handler must be idempotent: the gateway delivers at least once, and the receiver's de-duplication is
 * best effort (in memory, bounded). A handler resolves with 'processed' or 'ignored' (nothing to do, e.g. the
 * payment has already finished: a retry could not change that) and throws when processing should be retried
 * by the gateway (Temporal unreachable, …); the receiver answers a throw with a 5xx.
 */
import { z } from 'zod';
import { isPaymentNotFound, isValidationError } from '../client/errors';
import { GatewayDisputeSchema, type DisputesClient } from '../client/disputes-client';
import type { PaymentsClient } from '../client/payments-client';
import type { Logger } from '../logging/logger';
import { PAYMENT_METHOD_ID } from '../shared/payment-validation';
import { apiError } from './errors';

/** The envelope every gateway event shares; `data` is checked by the event's own handler. */
export const WebhookEventSchema = z.object({
  id: z.string().min(1).max(255),
  type: z.string().min(1).max(255),
  created: z.number().int(),
  data: z.record(z.string(), z.unknown()),
});

export type WebhookEvent = z.infer<typeof WebhookEventSchema>;
export type WebhookOutcome = 'processed' | 'ignored';

export interface WebhookHandlerDeps {
  payments: PaymentsClient;
  disputes: DisputesClient;
  logger: Logger;
}

export type WebhookHandler = (event: WebhookEvent, deps: WebhookHandlerDeps) => Promise<WebhookOutcome>;

const ThreeDSCompletedData = z.object({
  charge_id: z.string().min(1),
  result: z.enum(['succeeded', 'failed']),
  idempotency_key: z.string().optional(),
  metadata: z.record(z.string(), z.string()).default({}),
});

/** The customer finished (or failed) the 3DS challenge: becomes the payment workflow's threeDSCompleted signal. */
const threeDSCompleted: WebhookHandler = async (event, { payments, logger }) => {
  const data = parseData(ThreeDSCompletedData, event);
  const paymentId = data.metadata.payment_id;
  if (!paymentId) {
    logger.info({ eventId: event.id, chargeId: data.charge_id }, 'webhook for a charge without payment_id: ignored');
    return 'ignored';
  }
  try {
    // The workflow ignores a result naming another charge, and a second copy of the same result once it moved on.
    await payments.complete3DS(paymentId, { result: data.result, chargeId: data.charge_id });
    return 'processed';
  } catch (err) {
    // Finished (e.g. 3DS timed out) or not one of ours: a redelivery cannot change that, so acknowledge it.
    if (isPaymentNotFound(err) || isValidationError(err)) {
      logger.info({ eventId: event.id, paymentId, err: err.message }, '3DS webhook for no running payment: ignored');
      return 'ignored';
    }
    throw err;
  }
};

const DisputeEventData = z.object({ dispute: GatewayDisputeSchema.extend({ status: z.string() }) });

/** A bank opened a dispute: start its workflow (the id comes from the dispute's, so a repeat starts nothing). */
const disputeCreated: WebhookHandler = async (event, { disputes, logger }) => {
  const { dispute } = parseData(DisputeEventData, event);
  const { created } = await disputes.openDispute(dispute);
  logger.info({ eventId: event.id, disputeId: dispute.id, reason: dispute.reason, created }, 'dispute.created');
  return created ? 'processed' : 'ignored';
};

/** The bank decided: the dispute workflow records won or lost (and is started first if `created` was lost). */
const disputeClosed: WebhookHandler = async (event, { disputes, logger }) => {
  const { dispute } = parseData(DisputeEventData, event);
  if (dispute.status !== 'won' && dispute.status !== 'lost') {
    throw apiError('invalid_event', `dispute.closed with status ${dispute.status}, expected won or lost`);
  }
  await disputes.recordClosed(dispute, dispute.status);
  logger.info({ eventId: event.id, disputeId: dispute.id, outcome: dispute.status }, 'dispute.closed');
  return 'processed';
};

/** Stripe's PaymentMethod as the card-updater event carries it (`data.object`): id, new card details, metadata. */
const PaymentMethodUpdatedData = z.object({
  object: z.object({
    id: z.string().regex(PAYMENT_METHOD_ID, 'must be a PaymentMethod id (pm_…)'),
    card: z
      .object({
        brand: z.string().optional(),
        last4: z
          .string()
          .regex(/^\d{4}$/)
          .optional(),
        exp_month: z.number().int().optional(),
        exp_year: z.number().int().optional(),
      })
      .optional(),
    metadata: z.record(z.string(), z.string()).default({}),
  }),
});

/**
 * The issuer's card updater replaced a stored card (new expiry or number, same pm_ id): the payment it names in
 * metadata (`payment_id`, set when the client exchanged the card) gets the cardUpdated signal. A payment not
 * awaiting a card records it as ignored; a finished one, or a card no payment of ours made, is acknowledged.
 */
export const paymentMethodUpdated: WebhookHandler = async (event, { payments, logger }) => {
  const { object: pm } = parseData(PaymentMethodUpdatedData, event);
  const paymentId = pm.metadata.payment_id;
  if (!paymentId) {
    logger.info({ eventId: event.id, paymentMethod: pm.id }, 'card update for a card without payment_id: ignored');
    return 'ignored';
  }
  const card = pm.card && {
    brand: pm.card.brand,
    last4: pm.card.last4,
    expMonth: pm.card.exp_month,
    expYear: pm.card.exp_year,
  };
  try {
    await payments.sendCardUpdate(
      paymentId,
      {
        paymentMethod: { type: 'token', id: pm.id },
        source: 'card_updater',
        reference: event.id,
      },
      card,
    );
    logger.info({ eventId: event.id, paymentId, paymentMethod: pm.id, last4: card?.last4 }, 'card update signalled');
    return 'processed';
  } catch (err) {
    if (isPaymentNotFound(err) || isValidationError(err)) {
      logger.info({ eventId: event.id, paymentId, err: err.message }, 'card update for no running payment: ignored');
      return 'ignored';
    }
    throw err;
  }
};

export const WEBHOOK_HANDLERS: Readonly<Record<string, WebhookHandler>> = {
  'charge.3ds_completed': threeDSCompleted,
  'payment_method.automatically_updated': paymentMethodUpdated,
  'dispute.created': disputeCreated,
  'dispute.closed': disputeClosed,
};

function parseData<S extends z.ZodType>(schema: S, event: WebhookEvent): z.output<S> {
  const parsed = schema.safeParse(event.data);
  if (parsed.success) return parsed.data;
  const detail = parsed.error.issues.map((i) => `data.${i.path.join('.')}: ${i.message}`).join('; ');
  throw apiError('invalid_event', `Invalid ${event.type} event: ${detail}`);
}
