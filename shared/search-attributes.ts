/**
 * Search attributes operators filter on in the Temporal UI, e.g. `PaymentStatus = 'dead_lettered'`.
 * The dev server registers them at start-up (scripts/lib/temporal-dev-server.ts) from this one list.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const PaymentStatusKey = defineSearchAttributeKey('PaymentStatus', SearchAttributeType.KEYWORD);
export const CustomerIdKey = defineSearchAttributeKey('CustomerId', SearchAttributeType.KEYWORD);
export const DisputeStatusKey = defineSearchAttributeKey('DisputeStatus', SearchAttributeType.KEYWORD);
export const PaymentAmountKey = defineSearchAttributeKey('PaymentAmount', SearchAttributeType.INT);
/** The gateway that charged a payment (version 5 runs, set when it succeeds): `PaymentGateway = 'secondary'`. */
export const PaymentGatewayKey = defineSearchAttributeKey('PaymentGateway', SearchAttributeType.KEYWORD);
/** Set on a terminated payment that the gateway says charged: a person must refund or fulfil it. */
export const NeedsAttentionKey = defineSearchAttributeKey('NeedsAttention', SearchAttributeType.BOOL);

/** Payments a person must look at: parked, outcome unknown, or terminated after money moved. */
/** Why a payment needs a person, each as a visibility condition; NEEDS_ATTENTION_QUERY is any of them. */
export const ATTENTION_REASONS = ['dead_lettered', 'unknown', 'terminated_charged'] as const;
export type AttentionReason = (typeof ATTENTION_REASONS)[number];
export const ATTENTION_QUERIES: Readonly<Record<AttentionReason, string>> = {
  dead_lettered: "PaymentStatus = 'dead_lettered'",
  unknown: "PaymentStatus = 'unknown'",
  terminated_charged: "(PaymentStatus = 'terminated' AND NeedsAttention = true)",
};
export const NEEDS_ATTENTION_QUERY = `(${ATTENTION_REASONS.map((r) => ATTENTION_QUERIES[r]).join(' OR ')})`;

/** Name → CLI type name (`--search-attribute Name=Type`). */
export const SEARCH_ATTRIBUTES: ReadonlyArray<{ name: string; cliType: 'Keyword' | 'Int' | 'Bool' }> = [
  { name: PaymentStatusKey.name, cliType: 'Keyword' },
  { name: CustomerIdKey.name, cliType: 'Keyword' },
  { name: DisputeStatusKey.name, cliType: 'Keyword' },
  { name: PaymentAmountKey.name, cliType: 'Int' },
  { name: NeedsAttentionKey.name, cliType: 'Bool' },
  { name: PaymentGatewayKey.name, cliType: 'Keyword' },
];
