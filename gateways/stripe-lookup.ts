/**
 * Finding the PaymentIntent an idempotency key created, when all we have is the key. Stripe has no read by
 * idempotency key. Its Search API finds our metadata (`gateway_key`) but is eventually consistent: under normal
 * operating conditions data is searchable in less than a minute, and it can be up to an hour behind during outages
 * (https://docs.stripe.com/search#data-freshness, https://docs.stripe.com/api/payment_intents/search); Stripe's
 * advice for read-after-write is the list APIs. So a key is looked up in two steps that together are consistent:
 * the search covers everything older than `recentWindowMs`, and a plain list of the intents created within that
 * window (the list endpoint is consistent) covers what the search may not show yet. Only when both find nothing
 * is the answer "no charge"; the workflow then waits for its next scheduled check anyway (`unknownOutcome`).
 */
import type Stripe from 'stripe';
import { toCharge } from './stripe-mapping';
import type { ChargeLookup, ChargeQuery, GatewayCharge } from './port';

/** The metadata key that names our idempotency key on every PaymentIntent and Refund we create. */
export const KEY_METADATA = 'gateway_key';

export async function findIntentByKey(
  stripe: Stripe,
  query: ChargeQuery,
  recentWindowMs: number,
  now = Date.now(),
): Promise<ChargeLookup> {
  if (query.chargeId) {
    const intent = await stripe.paymentIntents.retrieve(query.chargeId, { expand: ['latest_charge'] });
    return found([intent]);
  }
  const searched = await stripe.paymentIntents.search({
    query: `metadata['${KEY_METADATA}']:'${escapeSearch(query.idempotencyKey)}'`,
    limit: 100,
  });
  const matches = new Map(searched.data.filter(isFor(query.idempotencyKey)).map((pi) => [pi.id, pi]));
  const since = Math.floor((now - recentWindowMs) / 1000);
  for await (const intent of stripe.paymentIntents.list({ created: { gte: since }, limit: 100 })) {
    if (isFor(query.idempotencyKey)(intent)) matches.set(intent.id, intent);
  }
  return found([...matches.values()]);
}

function found(intents: Stripe.PaymentIntent[]): ChargeLookup {
  const charges: GatewayCharge[] = intents.sort((a, b) => a.created - b.created).map(toCharge);
  const latest = charges.at(-1);
  return latest ? { found: true, charge: latest, charges } : { found: false, inFlight: false };
}

const isFor = (key: string) => (intent: Stripe.PaymentIntent) => intent.metadata?.[KEY_METADATA] === key;

/** Search query strings quote with single quotes; a quote or backslash inside is escaped with a backslash. */
export function escapeSearch(value: string): string {
  return value.replace(/[\\']/g, (c) => `\\${c}`);
}
