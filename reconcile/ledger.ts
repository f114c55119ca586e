/**
 * The ledger reader interface (one per gateway: the sandbox's here, Stripe's in stripe-ledger.ts, chosen by
 * readers.ts) and the two facts reconciliation takes from a charge.
 */
import { request } from 'undici';
import { z } from 'zod';

/**
 * The sandbox gateway's ledger, parsed leniently: reconciliation must still run when the gateway adds
 * fields or statuses (e.g. `refunded`), so only the fields we compare are required.
 */
const chargeSchema = z.object({
  id: z.string(),
  idempotency_key: z.string().nullish(),
  amount: z.number(),
  currency: z.string(),
  status: z.string(),
  card_last4: z.string().nullish(),
  metadata: z
    .record(z.string(), z.string())
    .nullish()
    .transform((m) => m ?? {}),
  created: z.union([z.string(), z.number()]),
});

const ledgerSchema = z.object({ charges: z.array(chargeSchema) });

export type LedgerCharge = z.infer<typeof chargeSchema>;

/**
 * A gateway's record of what it charged, as reconciliation compares it: one entry per charge our audit trail
 * names by `chargeId` (a sandbox charge, a Stripe PaymentIntent), `status` `succeeded` or `refunded` when money
 * moved, `metadata.payment_id` naming our payment.
 */
export interface LedgerReader {
  /** Which gateway, for messages. */
  readonly gateway: string;
  charges(): Promise<LedgerCharge[]>;
}

/** The sandbox's ledger endpoint (GET /_sandbox/ledger): a test-mode gateway can afford to list everything. */
export function sandboxLedgerReader(gatewayUrl: string): LedgerReader {
  return { gateway: 'sandbox', charges: () => fetchLedger(gatewayUrl) };
}

export async function fetchLedger(gatewayUrl: string): Promise<LedgerCharge[]> {
  const url = new URL('/_sandbox/ledger', gatewayUrl);
  const res = await request(url, { method: 'GET', headersTimeout: 10_000, bodyTimeout: 30_000 });
  if (res.statusCode !== 200) {
    await res.body.dump();
    throw new Error(`GET ${url.href} returned HTTP ${res.statusCode}`);
  }
  const parsed = ledgerSchema.safeParse(await res.body.json());
  if (!parsed.success) throw new Error(`GET ${url.href}: unexpected ledger shape: ${parsed.error.message}`);
  return parsed.data.charges;
}

/** `created` may be unix seconds, milliseconds or an ISO string; undefined when unreadable. */
export function chargeCreatedAt(charge: LedgerCharge): Date | undefined {
  const { created } = charge;
  const date = typeof created === 'number' ? new Date(created < 1e12 ? created * 1000 : created) : new Date(created);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** Our charges carry the payment id in metadata; anything without it was not made by our workflow. */
export function chargePaymentId(charge: LedgerCharge): string | undefined {
  return charge.metadata.payment_id?.toLowerCase();
}
