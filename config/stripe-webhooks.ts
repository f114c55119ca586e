/**
 * Stripe's own webhooks (`POST /webhooks/stripe`, api/routes-stripe-webhooks.ts). The signing secret is the
 * endpoint's, shown in Stripe's dashboard (or printed by `stripe listen`); unset, the route is not served and
 * the API warns at start when GATEWAY=stripe, because a payment parked on 3DS then hears nothing until it times out.
 */
import { z } from 'zod';

export const stripeWebhookEnv = {
  /** `whsec_…`: verifies the `Stripe-Signature` header (stripe.webhooks.constructEvent). */
  STRIPE_WEBHOOK_SECRET: z
    .string()
    .regex(/^whsec_[A-Za-z0-9]+$/, 'must be a Stripe webhook signing secret (whsec_…)')
    .optional(),
};

/** The signing secret alone is not enough: disputes are matched to payments by reading the PaymentIntent. */
export function stripeWebhookEnvProblems(env: { STRIPE_WEBHOOK_SECRET?: string; STRIPE_SECRET_KEY?: string }) {
  return env.STRIPE_WEBHOOK_SECRET && !env.STRIPE_SECRET_KEY
    ? ['STRIPE_SECRET_KEY: required with STRIPE_WEBHOOK_SECRET (disputed PaymentIntents are read from Stripe)']
    : [];
}
