/**
 * Request validation for the card-processor routes. Validation runs before the idempotency layer, so a 400 here
 * is never stored under the key (as Stripe does for invalid parameters).
 */
import { z } from 'zod';
import { CARD_NUMBER_PATTERN } from './cards';
import { fromZodError, type ErrorReply } from './errors';
import {
  CHARGE_STATUSES,
  DISPUTE_EVIDENCE_FIELDS,
  DISPUTE_REASONS,
  type DisputeEvidenceField,
  REFUND_REASONS,
} from './types';

const MAX_AMOUNT = 99_999_999;

const objectId = z.string().min(1).max(255);
const idempotencyKey = z.string().min(1).max(255);

// Stripe's metadata limits: 50 keys, 40-character keys, 500-character values.
const metadataSchema = z
  .record(z.string().min(1).max(40), z.string().max(500))
  .refine((metadata) => Object.keys(metadata).length <= 50, 'at most 50 keys');

const cardNumber = z.string().regex(CARD_NUMBER_PATTERN, 'must be a string of 12 to 19 digits');
const paymentMethodId = z.string().regex(/^pm_[A-Za-z0-9_]{1,64}$/, 'must be a PaymentMethod id (pm_…)');

/** The inline card and `tok_…` token of older clients; a stored PaymentMethod goes by its id (below). */
const paymentMethodSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('card'), number: cardNumber }),
  z.strictObject({ type: z.literal('token'), token: z.string().min(1).max(255) }),
]);

const expiry = {
  exp_month: z.number().int().min(1).max(12).optional(),
  exp_year: z.number().int().min(2000).max(2100).optional(),
};

/** `POST /v1/payment_methods` (Stripe's create with `type: card`): a raw card (test mode) or a card token. */
export const createPaymentMethodSchema = z.strictObject({
  type: z.literal('card'),
  card: z.union([
    z.strictObject({
      number: cardNumber,
      ...expiry,
      cvc: z
        .string()
        .regex(/^\d{3,4}$/)
        .optional(),
    }),
    z.strictObject({ token: z.string().min(1).max(255) }),
  ]),
  metadata: metadataSchema.optional(),
});

/** `POST /_sandbox/payment_methods/:id/automatic_update`: the issuer's new card (number and/or expiry). */
export const automaticUpdateSchema = z.strictObject({ number: cardNumber.optional(), ...expiry });

export const createChargeSchema = z.strictObject({
  amount: z.number().int().positive().max(MAX_AMOUNT),
  currency: z
    .string()
    .regex(/^[A-Za-z]{3}$/, 'must be a 3-letter ISO currency code')
    .transform((currency) => currency.toLowerCase()),
  payment_method: paymentMethodSchema,
  metadata: metadataSchema.optional(),
  // Stripe's: the customer is not present (a merchant-initiated charge), and "challenge the cardholder".
  off_session: z.boolean().optional(),
  payment_method_options: z
    .strictObject({ card: z.strictObject({ request_three_d_secure: z.enum(['any', 'automatic']) }) })
    .optional(),
});

/** A charge of a stored PaymentMethod: `payment_method: 'pm_…'`, as Stripe takes it. */
export const createChargeByIdSchema = createChargeSchema.extend({ payment_method: paymentMethodId });

/**
 * The schema for this body: by id when `payment_method` is a string, else inline. Two schemas rather than a union,
 * so a bad inline card still names its parameter (`payment_method[number]`) and a missing one is `parameter_missing`.
 */
export function chargeSchemaFor(body: unknown): typeof createChargeSchema | typeof createChargeByIdSchema {
  const method = (body as { payment_method?: unknown } | null)?.payment_method;
  return typeof method === 'string' ? createChargeByIdSchema : createChargeSchema;
}

/** Confirm takes no parameters; an empty body and `{}` are both fine. */
export const confirmChargeSchema = z.strictObject({}).optional();

export const threeDsResultSchema = z.strictObject({ result: z.enum(['succeeded', 'failed']) });

export const chargeListQuerySchema = z.strictObject({ idempotency_key: idempotencyKey });

/** `idempotency_key` and `status` filter charges only; `charge` filters charges, refunds and disputes. */
export const ledgerQuerySchema = z.strictObject({
  idempotency_key: idempotencyKey.optional(),
  status: z.enum(CHARGE_STATUSES).optional(),
  charge: objectId.optional(),
});

export const createRefundSchema = z.strictObject({
  charge: objectId,
  amount: z.number().int().positive().max(MAX_AMOUNT).optional(),
  reason: z.enum(REFUND_REASONS).optional(),
  metadata: metadataSchema.optional(),
});

/** Both optional here; the route asks for at least one, so nobody lists every refund by accident. */
export const refundListQuerySchema = z.strictObject({
  charge: objectId.optional(),
  idempotency_key: idempotencyKey.optional(),
});

export const disputeListQuerySchema = z.strictObject({ charge: objectId });

// Stripe's limits: 20,000 characters per text field, 150,000 for all fields together.
const evidenceShape = Object.fromEntries(
  DISPUTE_EVIDENCE_FIELDS.map((field) => [field, z.string().max(20_000).optional()]),
) as Record<DisputeEvidenceField, z.ZodOptional<z.ZodString>>;

const evidenceSchema = z
  .strictObject(evidenceShape)
  .refine(
    (evidence) => Object.values(evidence).reduce((total, text) => total + (text?.length ?? 0), 0) <= 150_000,
    'at most 150,000 characters in all fields together',
  );

export const updateDisputeSchema = z.strictObject({
  evidence: evidenceSchema.optional(),
  submit: z.boolean().optional(),
  metadata: metadataSchema.optional(),
});

export const openDisputeSchema = z.strictObject({
  charge: objectId,
  reason: z.enum(DISPUTE_REASONS),
  amount: z.number().int().positive().max(MAX_AMOUNT).optional(),
  // A year at most keeps the deadline a valid date; Stripe's windows are days to weeks.
  due_in_ms: z
    .number()
    .int()
    .positive()
    .max(365 * 24 * 60 * 60 * 1000)
    .optional(),
});

export const closeDisputeSchema = z.strictObject({ outcome: z.enum(['won', 'lost']) });

export const webhookEventsQuerySchema = z.strictObject({ type: z.string().min(1).max(100).optional() });

export const resendWebhookSchema = z.strictObject({ event_id: objectId });

export type ParseResult<T> = { ok: true; value: T } | { ok: false; reply: ErrorReply };

/** safeParse with Stripe-shaped errors. `reportInput` lets us tell a missing field from a wrong one. */
export function parseWith<S extends z.ZodType>(schema: S, input: unknown): ParseResult<z.output<S>> {
  const result = schema.safeParse(input, { reportInput: true });
  return result.success ? { ok: true, value: result.data } : { ok: false, reply: fromZodError(result.error) };
}
