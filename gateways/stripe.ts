/**
 * The Stripe adapter: the Gateway port on PaymentIntents, through the official `stripe` package. Our charge id is
 * the PaymentIntent's id; our idempotency key is Stripe's `Idempotency-Key` and also the intent's metadata
 * (`gateway_key`, with `payment_id`), so a key can be found again after Stripe forgets it (24 h).
 *
 * Check before resend, the way Stripe supports it: within 24 h, sending the same create again under the same key
 * is the check (Stripe answers with the first request's stored result, a 409 while it still runs, or runs it if it
 * never arrived). A resend that may come later than that (an operator's retry) first looks the key up
 * (stripe-lookup.ts) and only sends when nothing was created. The package's own retries are off: Temporal owns them.
 */
import type Stripe from 'stripe';
import { ApplicationFailure } from '@temporalio/common';
import { ErrorType } from '../shared/errors';
import type { CreateChargeRequest, Gateway, GatewayCharge, GatewayPaymentMethod } from './port';
import { createStripeClient } from './stripe-client';
import { stripeFailure } from './stripe-errors';
import { findIntentByKey, KEY_METADATA } from './stripe-lookup';
import { toCharge, toDispute, toRefund } from './stripe-mapping';
import { stripePaymentMethod } from './stripe-test-cards';

export interface StripeGatewayOptions {
  secretKey: string;
  /** Stripe's API by default; stripe-mock or a test stub otherwise (`http://127.0.0.1:12111`). */
  apiBase?: string;
  /** Read timeout of one request; a timeout is an unknown outcome. */
  timeoutMs: number;
  /** How far back a key look-up lists intents instead of trusting the search (see stripe-lookup.ts). */
  recentWindowMs?: number;
}

const DEFAULT_RECENT_WINDOW_MS = 60 * 60_000;

export function createStripeGateway(options: StripeGatewayOptions): Gateway {
  const stripe = createStripeClient(options);
  const recentWindowMs = options.recentWindowMs ?? DEFAULT_RECENT_WINDOW_MS;
  const withIntent = { expand: ['latest_charge'] };

  /** A token becomes a PaymentMethod under a key of its own, so a retry gets the same id (and the same create). */
  async function paymentMethodFor(req: CreateChargeRequest): Promise<string> {
    const method = stripePaymentMethod(req.paymentMethod);
    if ('paymentMethod' in method) return method.paymentMethod;
    const created = await stripe.paymentMethods.create(
      { type: 'card', card: { token: method.cardToken } },
      { idempotencyKey: `${req.idempotencyKey}:payment_method` },
    );
    return created.id;
  }

  async function create(req: CreateChargeRequest): Promise<GatewayCharge> {
    const intent = await stripe.paymentIntents.create(
      {
        amount: req.amount,
        currency: req.currency.toLowerCase(),
        payment_method: await paymentMethodFor(req),
        // Cards only, and never a redirect: 3DS comes back as `requires_action` for our 3DS wait.
        automatic_payment_methods: { enabled: true, allow_redirects: 'never' },
        confirm: true,
        metadata: { payment_id: req.paymentId, [KEY_METADATA]: req.idempotencyKey },
        ...(req.offSession ? { off_session: true } : {}),
        ...(req.requestThreeDS ? { payment_method_options: { card: { request_three_d_secure: 'any' } } } : {}),
        ...withIntent,
      },
      { idempotencyKey: req.idempotencyKey },
    );
    return toCharge(intent);
  }

  const gateway: Gateway = {
    async createPaymentMethod(req) {
      const { card } = req;
      if ('token' in card) {
        const created = await stripe.paymentMethods.create(
          { type: 'card', card: { token: card.token }, ...(req.metadata ? { metadata: req.metadata } : {}) },
          { idempotencyKey: req.idempotencyKey },
        );
        return toPaymentMethod(created);
      }
      // Test mode only: a raw number may not be sent to Stripe; its test cards have documented PaymentMethods.
      if (/_live_/.test(options.secretKey)) throw liveCardNumber();
      const method = stripePaymentMethod({ type: 'card', number: card.number });
      if (!('paymentMethod' in method)) throw liveCardNumber();
      // Stripe's test PaymentMethods for these cards are all Visa; nothing to ask Stripe.
      return { type: 'token', id: method.paymentMethod, card: { brand: 'visa', last4: card.number.slice(-4) } };
    },
    async createCharge(req) {
      if (req.earlierRequest === 'any_time') {
        const earlier = await findIntentByKey(stripe, req, recentWindowMs);
        if (earlier.found) return earlier.charge;
      }
      return create(req);
    },
    async confirmCharge(chargeId, key) {
      // After the cardholder's challenge an automatically confirmed intent has moved on by itself; only one that
      // waits for us (`requires_confirmation`) is confirmed, under its own key.
      const intent = await stripe.paymentIntents.retrieve(chargeId, withIntent);
      if (intent.status !== 'requires_confirmation') return toCharge(intent);
      return toCharge(await stripe.paymentIntents.confirm(chargeId, withIntent, { idempotencyKey: key }));
    },
    async cancelCharge(chargeId, key) {
      // Stripe refuses to cancel a settled intent (400 payment_intent_unexpected_state): GatewayInvalidRequest.
      const intent = await stripe.paymentIntents.cancel(
        chargeId,
        { cancellation_reason: 'abandoned' },
        { idempotencyKey: key },
      );
      return toCharge(intent);
    },
    findCharge: (query) => findIntentByKey(stripe, query, recentWindowMs),
    getCharge: async (chargeId) => toCharge(await stripe.paymentIntents.retrieve(chargeId, withIntent)),
    async createRefund(req) {
      const refund = await stripe.refunds.create(
        {
          payment_intent: req.chargeId,
          amount: req.amount,
          ...(req.reason ? { reason: req.reason } : {}),
          metadata: { payment_id: req.paymentId, [KEY_METADATA]: req.idempotencyKey },
        },
        { idempotencyKey: req.idempotencyKey },
      );
      return toRefund(refund);
    },
    async findRefund(chargeId, key) {
      // Listing a PaymentIntent's refunds is strongly consistent, unlike search.
      let latest: Stripe.Refund | undefined;
      for await (const refund of stripe.refunds.list({ payment_intent: chargeId, limit: 100 })) {
        if (refund.metadata?.[KEY_METADATA] === key && (!latest || refund.created >= latest.created)) latest = refund;
      }
      return latest && toRefund(latest);
    },
    getDispute: async (disputeId) => toDispute(await stripe.disputes.retrieve(disputeId)),
    async submitDisputeEvidence(disputeId, evidence, key) {
      await stripe.disputes.update(disputeId, { evidence, submit: true }, { idempotencyKey: key });
    },
    close: async () => {},
  };
  return mapErrors(gateway);
}

function toPaymentMethod(pm: Stripe.PaymentMethod): GatewayPaymentMethod {
  const card = pm.card;
  return {
    type: 'token',
    id: pm.id,
    card: { brand: card?.brand, last4: card?.last4, expMonth: card?.exp_month, expYear: card?.exp_year },
  };
}

function liveCardNumber(): ApplicationFailure {
  return ApplicationFailure.create({
    type: ErrorType.InvalidInput,
    message: 'Stripe takes raw card numbers in test mode only (its test cards); send a pm_… token',
    nonRetryable: true,
  });
}

/** Every method's Stripe errors become ours here, once. */
function mapErrors(gateway: Gateway): Gateway {
  const mapped = {} as Record<string, unknown>;
  for (const [name, method] of Object.entries(gateway) as Array<[string, (...a: unknown[]) => Promise<unknown>]>) {
    mapped[name] = async (...args: unknown[]) => {
      try {
        return await method(...args);
      } catch (err) {
        throw stripeFailure(err);
      }
    };
  }
  return mapped as unknown as Gateway;
}
