/**
 * Which gateway adapter the worker uses, and Stripe's settings. One rule across variables: a live Stripe key
 * moves real money, so it is refused unless STRIPE_ALLOW_LIVE=true says that is meant (a leaked production
 * key in a developer's shell must not turn `npm start` into a live integration).
 */
import { z } from 'zod';

export const GATEWAY_KINDS = ['sandbox', 'stripe'] as const;
export type GatewayKind = (typeof GATEWAY_KINDS)[number];

const flag = z
  .enum(['true', 'false'], { message: 'must be true or false' })
  .default('false')
  .transform((v) => v === 'true');

export const gatewayEnv = {
  /** `sandbox` (default: our test-mode processor at GATEWAY_URL) or `stripe` (PaymentIntents). */
  GATEWAY: z.enum(GATEWAY_KINDS).default('sandbox'),
  /** Secret (`sk_`) or restricted (`rk_`) key; test mode (`_test_`) unless STRIPE_ALLOW_LIVE=true. */
  STRIPE_SECRET_KEY: z
    .string()
    .regex(/^(sk|rk)_(test|live)_[A-Za-z0-9]+$/, 'must be a Stripe secret key (sk_test_…, sk_live_…, rk_…)')
    .optional(),
  /** Stripe's API base URL; set it for stripe-mock (`http://127.0.0.1:12111`). Default: Stripe's own. */
  STRIPE_API_BASE: z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' }).optional(),
  STRIPE_ALLOW_LIVE: flag,
  /**
   * How far behind Stripe's Search API may be: a key look-up lists the intents created this recently instead of
   * trusting the search for them (gateways/stripe-lookup.ts). Stripe: under a minute normally, up to an hour behind
   * during outages.
   */
  STRIPE_SEARCH_LAG_MINUTES: z.coerce
    .number()
    .positive()
    .max(24 * 60)
    .default(60),
};

export interface GatewayEnv {
  GATEWAY: GatewayKind;
  STRIPE_SECRET_KEY?: string;
  STRIPE_ALLOW_LIVE: boolean;
}

/** The cross-variable rules, as `VARIABLE: message` lines; empty when the gateway settings are consistent. */
export function gatewayEnvProblems(env: GatewayEnv): string[] {
  if (env.GATEWAY !== 'stripe') return [];
  const key = env.STRIPE_SECRET_KEY;
  if (!key) return ['STRIPE_SECRET_KEY: required when GATEWAY=stripe'];
  if (/_live_/.test(key) && !env.STRIPE_ALLOW_LIVE) {
    return ['STRIPE_SECRET_KEY: a live key moves real money; set STRIPE_ALLOW_LIVE=true if that is meant'];
  }
  return [];
}
