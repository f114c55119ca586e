/**
 * What each of Stripe's own events does: the same signals and dispute steps the sandbox's events drive
 * (webhook-handlers.ts), translated from Stripe's objects. Our payment id is in the PaymentIntent's metadata
 * (`payment_id`, set by the Stripe adapter); our charge id is the PaymentIntent's id.
 *
 * - `payment_intent.succeeded`: the 3DS result `succeeded` for the payment parked on that intent (its run then
 *   reads the intent and succeeds). Stripe sends it for every payment; one that did not wait for 3DS is not awaiting
 *   a result and ignores it (a closed run is not found: acknowledged).
 * - `payment_intent.payment_failed`: a failed challenge (`payment_intent_authentication_failure`) is the 3DS result
 *   `failed`; a decline after a passed challenge is `succeeded` ("the challenge is over"), so the run reads the
 *   intent and handles the decline as any other (its code from `last_payment_error`).
 * - `payment_intent.canceled`: the intent can no longer be paid (cancelled in the dashboard, or by Stripe after too
 *   many confirmations): the 3DS result `failed`, reason `payment_intent_canceled`; the run ends cancelled.
 * - `payment_intent.requires_action`: acknowledged and logged only. The create's own answer parked the payment; a
 *   lost answer is recovered by the run's retry under the same key, which Stripe answers the same way.
 * - `charge.dispute.created` / `updated` / `closed`: start the dispute's workflow / start it if the created event was
 *   lost / record won or lost. The payment id is read from the disputed PaymentIntent's metadata.
 * - `payment_method.automatically_updated`: the cardUpdated signal (the sandbox's handler: Stripe's shape).
 *
 * A valid event we cannot use (an intent without `payment_id`, a payment we do not run) is acknowledged and logged:
 * Stripe retries every non-2xx answer for three days and a retry cannot make it ours. Only failures a retry can
 * cure (Temporal or Stripe unreachable) are thrown, and answered 5xx so Stripe redelivers.
 */
import type Stripe from 'stripe';
import { z } from 'zod';
import { isPaymentNotFound, isValidationError } from '../client/errors';
import type { DisputesClient, GatewayDispute } from '../client/disputes-client';
import type { PaymentsClient } from '../client/payments-client';
import type { ThreeDSResult } from '../workflows/payment-messages';
import type { Logger } from '../logging/logger';
import { DISPUTE_REASONS } from '../shared/dispute-types';
import { paymentMethodUpdated, type WebhookOutcome } from './webhook-handlers';

export interface StripeHandlerDeps {
  payments: PaymentsClient;
  disputes: DisputesClient;
  logger: Logger;
  /** The `payment_id` in a PaymentIntent's metadata (undefined when it has none or Stripe does not know it). */
  paymentIdOfIntent(intentId: string): Promise<string | undefined>;
}

export type StripeHandler = (event: Stripe.Event, deps: StripeHandlerDeps) => Promise<WebhookOutcome>;

/** The parts of a PaymentIntent the handlers read; parsed leniently, Stripe adds fields. */
const IntentSchema = z.object({
  id: z.string().min(1),
  status: z.string(),
  metadata: z.record(z.string(), z.string()).nullish(),
  last_payment_error: z.object({ code: z.string().nullish(), decline_code: z.string().nullish() }).nullish(),
});

export const AUTHENTICATION_FAILURE = 'payment_intent_authentication_failure';

const intentSucceeded: StripeHandler = (event, deps) => signalThreeDS(event, deps, () => ({ result: 'succeeded' }));

const intentFailed: StripeHandler = (event, deps) =>
  signalThreeDS(event, deps, (intent) => {
    const error = intent.last_payment_error;
    if (error?.code === AUTHENTICATION_FAILURE) return { result: 'failed', reason: AUTHENTICATION_FAILURE };
    // The challenge was passed and the issuer declined: the run reads the intent and classifies the decline.
    return { result: 'succeeded', reason: `declined after authentication: ${error?.decline_code ?? error?.code}` };
  });

const intentCanceled: StripeHandler = (event, deps) =>
  signalThreeDS(event, deps, () => ({ result: 'failed', reason: 'payment_intent_canceled' }));

const intentRequiresAction: StripeHandler = async (event, { logger }) => {
  const intent = parseObject(IntentSchema, event);
  const paymentId = intent.metadata?.payment_id;
  logger.info({ eventId: event.id, intent: intent.id, paymentId }, 'requires_action: the create answer parks it');
  return 'ignored';
};

async function signalThreeDS(
  event: Stripe.Event,
  { payments, logger }: StripeHandlerDeps,
  resultOf: (intent: z.infer<typeof IntentSchema>) => Omit<ThreeDSResult, 'chargeId'>,
): Promise<WebhookOutcome> {
  const intent = parseObject(IntentSchema, event);
  const paymentId = intent.metadata?.payment_id;
  if (!paymentId) {
    logger.info({ eventId: event.id, type: event.type, intent: intent.id }, 'intent without payment_id: ignored');
    return 'ignored';
  }
  const result = { ...resultOf(intent), chargeId: intent.id };
  try {
    // The run takes it only while parked on this intent (or with it in flight); otherwise it logs and ignores it.
    await payments.complete3DS(paymentId, result);
    logger.info({ eventId: event.id, type: event.type, paymentId, result: result.result }, '3DS result signalled');
    return 'processed';
  } catch (err) {
    if (isPaymentNotFound(err) || isValidationError(err)) {
      logger.info({ eventId: event.id, type: event.type, paymentId, err: err.message }, 'no running payment: ignored');
      return 'ignored';
    }
    throw err;
  }
}

const DisputeSchema = z.object({
  id: z.string().min(1),
  amount: z.number().int().positive(),
  currency: z.string(),
  reason: z.string(),
  status: z.string(),
  charge: z.union([z.string(), z.object({ id: z.string() })]),
  payment_intent: z.union([z.string(), z.object({ id: z.string() })]).nullish(),
  evidence_details: z.object({ due_by: z.number().int().nullish() }),
});

type StripeDispute = z.infer<typeof DisputeSchema>;

/** Stripe's dispute as the dispute workflow's input wants it: our charge id is the intent's, the payment from it. */
async function ourDispute(dispute: StripeDispute, deps: StripeHandlerDeps): Promise<GatewayDispute> {
  const intentId = idOf(dispute.payment_intent);
  const paymentId = intentId ? await deps.paymentIdOfIntent(intentId) : undefined;
  // A reason Stripe adds later is still a dispute to answer; `general` is Stripe's own catch-all.
  const reason = (DISPUTE_REASONS as readonly string[]).includes(dispute.reason) ? dispute.reason : 'general';
  return {
    id: dispute.id,
    charge: intentId ?? idOf(dispute.charge) ?? dispute.id,
    amount: dispute.amount,
    currency: dispute.currency,
    reason: reason as GatewayDispute['reason'],
    // No deadline (an inquiry that needs no answer): due now, so evidence goes at once rather than never.
    evidence_details: { due_by: dispute.evidence_details.due_by ?? Math.floor(Date.now() / 1000) },
    ...(paymentId ? { metadata: { payment_id: paymentId } } : {}),
  };
}

const disputeOpened: StripeHandler = async (event, deps) => {
  const stripeDispute = parseObject(DisputeSchema, event);
  const dispute = await ourDispute(stripeDispute, deps);
  const { created } = await deps.disputes.openDispute(dispute);
  const paymentId = dispute.metadata?.payment_id;
  deps.logger.info(
    { eventId: event.id, type: event.type, disputeId: dispute.id, status: stripeDispute.status, paymentId, created },
    'Stripe dispute event: workflow started (or already running)',
  );
  return created ? 'processed' : 'ignored';
};

const disputeClosed: StripeHandler = async (event, deps) => {
  const stripeDispute = parseObject(DisputeSchema, event);
  const outcome = stripeDispute.status;
  if (outcome !== 'won' && outcome !== 'lost') {
    // `warning_closed` (an inquiry that never became a chargeback) and `prevented`: no decision to record.
    deps.logger.warn({ eventId: event.id, disputeId: stripeDispute.id, outcome }, 'dispute closed unruled: ignored');
    return 'ignored';
  }
  await deps.disputes.recordClosed(await ourDispute(stripeDispute, deps), outcome);
  deps.logger.info({ eventId: event.id, disputeId: stripeDispute.id, outcome }, 'charge.dispute.closed');
  return 'processed';
};

const cardUpdated: StripeHandler = (event, deps) =>
  paymentMethodUpdated({ id: event.id, type: event.type, created: event.created, data: { ...event.data } }, deps);

export const STRIPE_WEBHOOK_HANDLERS: Readonly<Record<string, StripeHandler>> = {
  'payment_intent.succeeded': intentSucceeded,
  'payment_intent.payment_failed': intentFailed,
  'payment_intent.canceled': intentCanceled,
  'payment_intent.requires_action': intentRequiresAction,
  'charge.dispute.created': disputeOpened,
  'charge.dispute.updated': disputeOpened,
  'charge.dispute.closed': disputeClosed,
  'payment_method.automatically_updated': cardUpdated,
};

/** The events to enable on the endpoint in Stripe's dashboard (README). */
export const STRIPE_EVENT_TYPES = Object.keys(STRIPE_WEBHOOK_HANDLERS);

export class StripeEventShapeError extends Error {}

function parseObject<S extends z.ZodType>(schema: S, event: Stripe.Event): z.output<S> {
  const parsed = schema.safeParse(event.data.object);
  if (parsed.success) return parsed.data;
  const detail = parsed.error.issues.map((i) => `data.object.${i.path.join('.')}: ${i.message}`).join('; ');
  throw new StripeEventShapeError(`Invalid ${event.type} event ${event.id}: ${detail}`);
}

function idOf(ref: string | { id: string } | null | undefined): string | undefined {
  if (!ref) return undefined;
  return typeof ref === 'string' ? ref : ref.id;
}
