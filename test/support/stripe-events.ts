/**
 * Stripe's documented event bodies (test/fixtures/stripe-events/, each with its source) made into this test's
 * events, and signed as Stripe signs them, with the official package (`stripe.webhooks.generateTestHeaderString`).
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Stripe from 'stripe';

const DIR = path.join(__dirname, '..', 'fixtures', 'stripe-events');

export interface StripeEventBody {
  id: string;
  type: string;
  created: number;
  data: { object: Record<string, unknown>; previous_attributes?: Record<string, unknown> };
  [field: string]: unknown;
}

/**
 * The fixture's event with a fresh id (unless given) and `object` merged over `data.object` (shallow: a given
 * `metadata` replaces the fixture's).
 */
export function stripeEvent(name: string, object: Record<string, unknown> = {}, id?: string): StripeEventBody {
  const parsed = JSON.parse(readFileSync(path.join(DIR, `${name}.json`), 'utf8')) as {
    source: string;
    body: StripeEventBody;
  };
  if (!parsed.source) throw new Error(`event fixture ${name} does not say where it comes from`);
  const event = parsed.body;
  return {
    ...event,
    id: id ?? `evt_test_${randomUUID().replace(/-/g, '')}`,
    data: { ...event.data, object: { ...event.data.object, ...object } },
  };
}

/** The `Stripe-Signature` header for `payload` at `timestamp` (unix seconds; default now). */
export function stripeSignature(payload: string, secret: string, timestamp?: number): string {
  return Stripe.webhooks.generateTestHeaderString({ payload, secret, ...(timestamp ? { timestamp } : {}) });
}
