/** zod schemas for everything a backend sends us. Validation happens here, before anything reaches Temporal. */
import { z } from 'zod';
import {
  CARD_NUMBER_FIELD_MESSAGE,
  CARD_NUMBER_FIELD_PATTERN,
  looksLikeCardNumber,
  maskCardNumbers,
} from '../shared/card-number';
import { DISPUTE_EVIDENCE_FIELDS } from '../shared/dispute-types';
import { PAYMENT_STATUSES } from '../shared/payment-status';
import { PAYMENT_ID_PATTERN } from '../shared/ids';
import type { PaymentMethod } from '../shared/payment-types';
import { PAYMENT_METHOD_ID } from '../shared/payment-validation';
import { ISO_4217_CODES } from './currencies';

export const IdempotencyKey = z.string().min(1, 'must not be empty').max(255, 'must be at most 255 characters');

/**
 * What a caller may pay with: a payment-method token (`{ type: 'token', id: 'pm_…' }`, Stripe's shape), a card
 * token from the gateway's browser library (`token: 'tok_…'`), or, in test mode only, a raw card number. The
 * client exchanges the last two for a `pm_…` token at the gateway before anything starts (payment-methods.ts).
 */
export const PaymentMethodSchema = z
  .discriminatedUnion('type', [
    z.strictObject({
      type: z.literal('card'),
      number: z.string().regex(CARD_NUMBER_FIELD_PATTERN, CARD_NUMBER_FIELD_MESSAGE),
    }),
    z
      .strictObject({
        type: z.literal('token'),
        id: z.string().regex(PAYMENT_METHOD_ID, 'paymentMethod.id must look like pm_...').optional(),
        token: z
          .string()
          .regex(/^tok_[A-Za-z0-9_]{1,64}$/, 'token must look like tok_...')
          .optional(),
      })
      .refine((m) => (m.id === undefined) !== (m.token === undefined), 'give paymentMethod.id (pm_...), or token'),
  ])
  .transform((m): PaymentMethod => {
    if (m.type === 'card') return m;
    return m.id !== undefined ? { type: 'token', id: m.id } : { type: 'token', token: m.token as string };
  });

/** A payment method as a caller may send it (before the exchange). */
export type PaymentMethodInput = z.input<typeof PaymentMethodSchema>;

/** A card update for the `cardUpdated` signal: its payment method as the caller sends any (then exchanged). */
export const CardUpdateSchema = z.strictObject({
  paymentMethod: PaymentMethodSchema,
  source: z.enum(['card_updater', 'customer_portal']),
  reference: z.string().min(1).max(255).optional(),
});
export type CardUpdateRequest = z.input<typeof CardUpdateSchema>;

const text = (max: number) => z.string().min(1).max(max);

/** An amount of money as a positive whole number of the currency's minor units (cents for USD). */
const MinorUnits = z
  .number({ error: 'amount must be a number' })
  .int('amount must be an integer number of minor units')
  .positive('amount must be positive');

/** Order facts kept for dispute evidence; none may look like a card number (they end up in evidence text). */
const OrderDetailsSchema = z
  .strictObject({
    customerName: text(200).optional(),
    customerEmail: z.email().max(254).optional(),
    customerIp: z.union([z.ipv4(), z.ipv6()]).optional(),
    deviceId: text(200).optional(),
    billingAddress: text(500).optional(),
    productDescription: text(500).optional(),
    shippingAddress: text(500).optional(),
    shippingCarrier: text(100).optional(),
    trackingNumber: text(100).optional(),
    shippedAt: z.iso.datetime({ offset: true }).optional(),
    deliveredAt: z.iso.datetime({ offset: true }).optional(),
  })
  // A tracking number may be a long digit run (FedEx: 12-15 digits); every other field never holds one.
  .refine(
    ({ trackingNumber: _tracking, ...rest }) => !Object.values(rest).some((v) => looksLikeCardNumber(String(v))),
    { message: 'order details must not contain card numbers' },
  );

export function startPaymentSchema(maxAmount: number) {
  return z.strictObject({
    idempotencyKey: IdempotencyKey,
    amount: MinorUnits.max(maxAmount, `amount must be at most ${maxAmount}`),
    currency: z
      .string()
      .transform((c) => c.toUpperCase())
      .refine((c) => ISO_4217_CODES.has(c), 'currency must be an ISO 4217 code'),
    paymentMethod: PaymentMethodSchema,
    customerId: z
      .string()
      .min(1)
      .max(128)
      .regex(/^[\w.:-]+$/, 'customerId has invalid characters')
      // It becomes a search attribute, readable in clear by anyone with visibility access.
      .refine((id) => !looksLikeCardNumber(id), 'customerId must not look like a card number')
      .optional(),
    description: z.string().max(500).optional(),
    order: OrderDetailsSchema.optional(),
    // customer (default): at checkout, a soft decline such as insufficient funds asks for another card.
    // merchant: a charge the customer agreed to in advance (subscription), retried over hours within the budget.
    initiator: z.enum(['customer', 'merchant']).optional(),
    // The merchant vouches for the customer: in an outage the payment may be queued (README "Degradation ladder").
    trustedCustomer: z.boolean().optional(),
  });
}

export type StartPaymentRequest = z.input<ReturnType<typeof startPaymentSchema>>;

export const PaymentIdSchema = z.string().regex(PAYMENT_ID_PATTERN, 'payment id must be a UUID');
export const PaymentStatusSchema = z.enum(PAYMENT_STATUSES);
export const ThreeDSResultSchema = z.strictObject({
  result: z.enum(['succeeded', 'failed']),
  chargeId: z.string().min(1).max(255).optional(),
  reason: z.string().max(200).transform(maskCardNumbers).optional(),
});

/** Operator text (cancel and retry reasons): a card or ticket number quoted in it is masked before it is sent. */
export const ReasonText = z.string().min(1).max(200).transform(maskCardNumbers);

export const RefundRequestSchema = z.strictObject({
  amount: MinorUnits.optional(),
  requestKey: IdempotencyKey,
  reason: z.enum(['duplicate', 'fraudulent', 'requested_by_customer']).optional(),
});

/** An operator's approval of a dispute's evidence, optionally adding or correcting fields before it is sent. */
export const EvidenceApprovalSchema = z.strictObject({
  approvedBy: z.string().min(1).max(200),
  evidence: z.partialRecord(z.enum(DISPUTE_EVIDENCE_FIELDS), z.string().min(1).max(20_000)).optional(),
});
