/**
 * Search attributes operators filter on in the Temporal UI, e.g. `PaymentStatus = 'dead_lettered'`.
 * The dev server registers them at start-up (scripts/lib/temporal-dev-server.ts) from this one list.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const PaymentStatusKey = defineSearchAttributeKey('PaymentStatus', SearchAttributeType.KEYWORD);
export const CustomerIdKey = defineSearchAttributeKey('CustomerId', SearchAttributeType.KEYWORD);
export const DisputeStatusKey = defineSearchAttributeKey('DisputeStatus', SearchAttributeType.KEYWORD);
export const PaymentAmountKey = defineSearchAttributeKey('PaymentAmount', SearchAttributeType.INT);

/** Name → CLI type name (`--search-attribute Name=Type`). */
export const SEARCH_ATTRIBUTES: ReadonlyArray<{ name: string; cliType: 'Keyword' | 'Int' }> = [
  { name: PaymentStatusKey.name, cliType: 'Keyword' },
  { name: CustomerIdKey.name, cliType: 'Keyword' },
  { name: DisputeStatusKey.name, cliType: 'Keyword' },
  { name: PaymentAmountKey.name, cliType: 'Int' },
];
