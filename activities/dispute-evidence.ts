/**
 * Which evidence a dispute needs, by reason (seed 002's gather_evidence, in Stripe's field names), built from
 * facts the activity collected. Pure, so each reason's field set is unit-tested without any server.
 */
import type { DisputeEvidence, DisputeReason, GatheredEvidence } from '../shared/dispute-types';
import type { PaymentState } from '../shared/payment-types';
import type { MerchantPolicies } from './payment-records';

export interface EvidenceFacts {
  charge: {
    id: string;
    amount: number;
    currency: string;
    createdAt?: string;
    threeDSecure?: string; // 'authenticated' | 'failed' | undefined when not used
    cvcCheck?: string;
    postalCodeCheck?: string;
  };
  payment?: PaymentState;
  priorPurchases?: Array<{ paymentId: string; at: string }>;
  /** Succeeded charges the gateway holds under each key this payment ever used. */
  chargesByKey?: Array<{ gatewayKey: string; succeededChargeIds: string[] }>;
  merchant: MerchantPolicies;
}

/** The base set every dispute gets: who the customer is, what they bought, and our policies. */
const BASE_FIELDS = ['product_description', 'customer_name', 'customer_email_address', 'customer_purchase_ip'];

const REASON_FIELDS: Partial<Record<DisputeReason, string[]>> = {
  fraudulent: ['access_activity_log'],
  product_not_received: ['shipping_carrier', 'shipping_tracking_number', 'shipping_date', 'shipping_address'],
  duplicate: ['duplicate_charge_explanation'],
};

export function expectedEvidenceFields(reason: DisputeReason): string[] {
  return [...BASE_FIELDS, ...(REASON_FIELDS[reason] ?? [])];
}

export function buildEvidence(reason: DisputeReason, facts: EvidenceFacts): GatheredEvidence {
  const evidence: DisputeEvidence = { ...baseEvidence(facts) };
  if (reason === 'fraudulent') set(evidence, 'access_activity_log', activityLog(facts));
  if (reason === 'product_not_received') {
    Object.assign(evidence, shippingEvidence(facts));
    const delivered = facts.payment?.order?.deliveredAt;
    if (delivered) evidence.uncategorized_text = `${evidence.uncategorized_text}; delivered ${delivered}`;
  }
  if (reason === 'duplicate') set(evidence, 'duplicate_charge_explanation', uniquenessProof(facts));
  const missing = expectedEvidenceFields(reason).filter((field) => !(field in evidence));
  return { evidence, missing };
}

function baseEvidence({ charge, payment, merchant }: EvidenceFacts): DisputeEvidence {
  const order = payment?.order ?? {};
  const out: DisputeEvidence = {};
  set(out, 'product_description', order.productDescription ?? payment?.description);
  set(out, 'customer_name', order.customerName);
  set(out, 'customer_email_address', order.customerEmail);
  set(out, 'customer_purchase_ip', order.customerIp);
  set(out, 'billing_address', order.billingAddress);
  set(out, 'refund_policy', merchant.refundPolicyUrl);
  const summary = [
    `Charge ${charge.id} of ${charge.amount} ${charge.currency.toUpperCase()} (minor units)`,
    charge.createdAt && `made ${charge.createdAt}`,
    payment && `for payment ${payment.paymentId}`,
    payment && payment.amountRefunded > 0 && `${payment.amountRefunded} already refunded`,
    merchant.termsOfServiceUrl && `terms of service: ${merchant.termsOfServiceUrl}`,
  ];
  set(out, 'uncategorized_text', summary.filter(Boolean).join('; '));
  return out;
}

/** Proof that the cardholder made the purchase: authentication, card checks, device, purchase history. */
function activityLog({ charge, payment, priorPurchases }: EvidenceFacts): string {
  const order = payment?.order ?? {};
  const lines = [
    `3-D Secure: ${charge.threeDSecure ?? 'not used'}`,
    `CVC check: ${charge.cvcCheck ?? 'unavailable'}`,
    `postal code (AVS) check: ${charge.postalCodeCheck ?? 'unavailable'}`,
    order.deviceId && `device: ${order.deviceId}`,
    order.customerIp && `purchase IP: ${order.customerIp}`,
  ];
  if (payment?.customerId && priorPurchases) {
    const ids = priorPurchases.slice(0, 10).map((p) => `${p.paymentId} (${p.at})`);
    lines.push(`prior undisputed purchases by customer ${payment.customerId}: ${priorPurchases.length}`);
    if (ids.length > 0) lines.push(ids.join(', '));
  }
  return lines.filter(Boolean).join('\n');
}

function shippingEvidence({ payment }: EvidenceFacts): DisputeEvidence {
  const order = payment?.order ?? {};
  const out: DisputeEvidence = {};
  set(out, 'shipping_carrier', order.shippingCarrier);
  set(out, 'shipping_tracking_number', order.trackingNumber);
  set(out, 'shipping_date', order.shippedAt?.slice(0, 10));
  set(out, 'shipping_address', order.shippingAddress);
  return out;
}

/** Proof of uniqueness from the gateway itself: one succeeded charge across every key the payment used. */
function uniquenessProof({ charge, payment, chargesByKey }: EvidenceFacts): string | undefined {
  if (!payment || !chargesByKey) return undefined;
  const succeeded = chargesByKey.flatMap((k) => k.succeededChargeIds);
  return [
    `Payment ${payment.paymentId} was charged once: ${succeeded.length} succeeded charge(s) (${succeeded.join(', ')})`,
    `across ${chargesByKey.length} idempotency key(s) (${chargesByKey.map((k) => k.gatewayKey).join(', ')}).`,
    `Every retry reused a deterministic idempotency key, so the gateway could not create a second charge;`,
    `the disputed charge ${charge.id} is that one charge.`,
  ].join(' ');
}

function set(target: DisputeEvidence, field: string, value: string | undefined | false): void {
  if (value) target[field] = value;
}
