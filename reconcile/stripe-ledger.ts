/**
 * Stripe's ledger for reconciliation, through the official package: every PaymentIntent, its charges and its
 * refunds, each list paginated (`for await` follows `has_more`/`starting_after`, 100 a page). Our audit trail
 * records the PaymentIntent's id as the charge id, so one ledger entry is one PaymentIntent:
 * - `status` is the intent's, except that a succeeded intent whose money went back in full (succeeded refunds, or
 *   its charges' `amount_refunded`) is `refunded`, as in the sandbox's ledger: money moved either way;
 * - `card_last4` from its latest charge, `idempotency_key` from our `gateway_key` metadata.
 * Lists, not Search: search lags (up to an hour in an outage), lists are consistent. Everything is read, with no
 * `created` filter: `--since` selects payments by any activity, and a payment active today may have been charged
 * before (reconcile/run.ts); the comparison then narrows it.
 */
import type Stripe from 'stripe';
import { KEY_METADATA } from '../gateways/stripe-lookup';
import type { LedgerCharge, LedgerReader } from './ledger';

const PAGE = { limit: 100 } as const;

export function stripeLedgerReader(stripe: Stripe): LedgerReader {
  return {
    gateway: 'stripe',
    async charges() {
      const [intents, charges, refunds] = await Promise.all([
        collect(stripe.paymentIntents.list(PAGE)),
        collect(stripe.charges.list(PAGE)),
        collect(stripe.refunds.list(PAGE)),
      ]);
      return toLedger(intents, charges, refunds);
    },
  };
}

async function collect<T>(list: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of list) all.push(item);
  return all;
}

/** Pure: the three lists as ledger entries (unit-tested with Stripe's documented objects). */
export function toLedger(
  intents: readonly Stripe.PaymentIntent[],
  charges: readonly Stripe.Charge[],
  refunds: readonly Stripe.Refund[],
): LedgerCharge[] {
  const chargesOf = groupBy(charges, (c) => idOf(c.payment_intent));
  const refundedOf = new Map<string, number>();
  for (const refund of refunds) {
    const intent = idOf(refund.payment_intent);
    if (intent && refund.status === 'succeeded') refundedOf.set(intent, (refundedOf.get(intent) ?? 0) + refund.amount);
  }
  return intents.map((intent) => {
    const own = chargesOf.get(intent.id) ?? [];
    const latest = own.find((c) => c.id === idOf(intent.latest_charge)) ?? own[0];
    const refunded = Math.max(refundedOf.get(intent.id) ?? 0, sum(own.map((c) => c.amount_refunded ?? 0)));
    const fullyRefunded =
      intent.status === 'succeeded' && intent.amount_received > 0 && refunded >= intent.amount_received;
    return {
      id: intent.id,
      idempotency_key: intent.metadata?.[KEY_METADATA] ?? null,
      amount: intent.amount,
      currency: intent.currency,
      status: fullyRefunded ? 'refunded' : intent.status,
      card_last4: latest?.payment_method_details?.card?.last4 ?? null,
      metadata: { ...intent.metadata },
      created: intent.created,
    };
  });
}

function groupBy<T>(items: readonly T[], key: (item: T) => string | undefined): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    if (k) groups.set(k, [...(groups.get(k) ?? []), item]);
  }
  return groups;
}

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

function idOf(ref: string | { id: string } | null | undefined): string | undefined {
  if (!ref) return undefined;
  return typeof ref === 'string' ? ref : ref.id;
}
