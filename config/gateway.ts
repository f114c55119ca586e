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
export function gatewayEnvProblems(env: GatewayEnv & { GATEWAYS?: Array<{ kind: GatewayKind }> }): string[] {
  const stripeUsed = env.GATEWAY === 'stripe' || (env.GATEWAYS ?? []).some((g) => g.kind === 'stripe');
  if (!stripeUsed) return [];
  const key = env.STRIPE_SECRET_KEY;
  if (!key) return ['STRIPE_SECRET_KEY: required when GATEWAY=stripe (or a stripe gateway in GATEWAYS)'];
  if (/_live_/.test(key) && !env.STRIPE_ALLOW_LIVE) {
    return ['STRIPE_SECRET_KEY: a live key moves real money; set STRIPE_ALLOW_LIVE=true if that is meant'];
  }
  return [];
}

/**
 * One gateway of the failover order (GATEWAYS). `name` is what charges, audit rows, the `PaymentGateway` search
 * attribute and the metrics' `gateway` label carry, and what a payment's input names it by: keep it stable.
 */
export interface GatewaySpec {
  name: string;
  kind: GatewayKind;
  /** The sandbox's URL (kind sandbox); Stripe's base is STRIPE_API_BASE. */
  url: string;
  /** The sandbox's API key (kind sandbox); default GATEWAY_API_KEY. */
  apiKey?: string;
}

/** Lower-case letters, digits, `_` and `-`: a name becomes part of gateway idempotency keys and label values. */
const gatewayName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,31}$/, 'gateway names are 1-32 of a-z, 0-9, _ and - (they go into keys and labels)');

const gatewaySpecSchema = z.object({
  name: gatewayName,
  kind: z.enum(GATEWAY_KINDS).default('sandbox'),
  url: z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' }).optional(),
  apiKey: z.string().min(1).optional(),
});

/**
 * GATEWAYS: the gateways in failover order, as JSON, e.g.
 * `[{"name":"primary","url":"http://127.0.0.1:4010"},{"name":"secondary","url":"http://127.0.0.1:4011"}]`.
 * Unset: the one gateway of GATEWAY / GATEWAY_NAME / GATEWAY_URL, exactly as before (no failover).
 */
export const gatewaysEnv = {
  GATEWAYS: z
    .string()
    .optional()
    .transform((text, ctx) => {
      if (text === undefined || text.trim() === '') return undefined;
      try {
        return JSON.parse(text) as unknown;
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: `must be a JSON list of gateways: ${(err as Error).message}` });
        return z.NEVER;
      }
    })
    .pipe(
      z
        .array(gatewaySpecSchema)
        .min(1, 'name at least one gateway')
        .max(8, 'at most 8 gateways')
        .refine((list) => new Set(list.map((g) => g.name)).size === list.length, 'gateway names must be unique')
        .refine((list) => list.filter((g) => g.kind === 'stripe').length <= 1, 'at most one stripe gateway')
        .optional(),
    ),
};

export interface GatewayListEnv {
  GATEWAY: GatewayKind;
  GATEWAY_NAME?: string;
  GATEWAY_URL: string;
  GATEWAY_API_KEY: string;
  GATEWAYS?: Array<{ name: string; kind: GatewayKind; url?: string; apiKey?: string }>;
}

/** The configured gateways in failover order; the first is the default (payments that name none use it). */
export function gatewaySpecs(env: GatewayListEnv): GatewaySpec[] {
  if (!env.GATEWAYS) {
    return [
      { name: env.GATEWAY_NAME ?? env.GATEWAY, kind: env.GATEWAY, url: env.GATEWAY_URL, apiKey: env.GATEWAY_API_KEY },
    ];
  }
  return env.GATEWAYS.map((g) => ({
    name: g.name,
    kind: g.kind,
    url: g.url ?? env.GATEWAY_URL,
    apiKey: g.apiKey ?? env.GATEWAY_API_KEY,
  }));
}

/** GATEWAYS' own cross-field rules: a sandbox needs its URL (two sandboxes on one URL would share one ledger). */
export function gatewayListProblems(env: GatewayListEnv): string[] {
  if (!env.GATEWAYS) return [];
  const problems: string[] = [];
  const sandboxUrls = env.GATEWAYS.filter((g) => g.kind === 'sandbox').map((g) => g.url);
  if (sandboxUrls.some((u) => u === undefined)) problems.push('GATEWAYS: every sandbox gateway needs its url');
  if (new Set(sandboxUrls).size !== sandboxUrls.length) problems.push('GATEWAYS: two sandbox gateways share a url');
  return problems;
}
