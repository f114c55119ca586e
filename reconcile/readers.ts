/** Which ledger reconcile reads: the configured gateway's (GATEWAY=sandbox|stripe), as the worker charges there. */
import type { Config } from '../config';
import { createStripeClient } from '../gateways/stripe-client';
import { sandboxLedgerReader, type LedgerReader } from './ledger';
import { stripeLedgerReader } from './stripe-ledger';

type ReaderConfig = Pick<Config, 'GATEWAY' | 'GATEWAY_URL' | 'STRIPE_SECRET_KEY' | 'STRIPE_API_BASE'>;

/** Listing a large account page by page takes a while; one page must still answer within this. */
const STRIPE_PAGE_TIMEOUT_MS = 30_000;

export function ledgerReaderFor(config: ReaderConfig): LedgerReader {
  if (config.GATEWAY !== 'stripe') return sandboxLedgerReader(config.GATEWAY_URL);
  if (!config.STRIPE_SECRET_KEY) throw new Error('GATEWAY=stripe needs STRIPE_SECRET_KEY');
  const stripe = createStripeClient({
    secretKey: config.STRIPE_SECRET_KEY,
    apiBase: config.STRIPE_API_BASE,
    timeoutMs: STRIPE_PAGE_TIMEOUT_MS,
  });
  return stripeLedgerReader(stripe);
}
