/**
 * Request validation for the card-processor routes. Validation runs before the idempotency layer, so a 400 here
 * is never stored under the key (as Stripe does for invalid parameters).
 */
import { z } from 'zod';
import { CARD_NUMBER_PATTERN } from './cards';
import { fromZodError, type ErrorReply } from './errors';
import { CHARGE_STATUSES } from './types';

const MAX_AMOUNT = 99_999_999;

// Stripe's metadata limits: 50 keys, 40-character keys, 500-character values.
const metadataSchema = z
  .record(z.string().min(1).max(40), z.string().max(500))
  .refine((metadata) => Object.keys(metadata).length <= 50, 'at most 50 keys');

const paymentMethodSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('card'),
    number: z.string().regex(CARD_NUMBER_PATTERN, 'must be a string of 12 to 19 digits'),
  }),
  z.strictObject({ type: z.literal('token'), token: z.string().min(1).max(255) }),
]);

export const createChargeSchema = z.strictObject({
  amount: z.number().int().positive().max(MAX_AMOUNT),
  currency: z
    .string()
    .regex(/^[A-Za-z]{3}$/, 'must be a 3-letter ISO currency code')
    .transform((currency) => currency.toLowerCase()),
  payment_method: paymentMethodSchema,
  metadata: metadataSchema.optional(),
});

/** Confirm takes no parameters; an empty body and `{}` are both fine. */
export const confirmChargeSchema = z.strictObject({}).optional();

export const threeDsResultSchema = z.strictObject({ result: z.enum(['succeeded', 'failed']) });

export const chargeListQuerySchema = z.strictObject({ idempotency_key: z.string().min(1).max(255) });

export const ledgerQuerySchema = z.strictObject({
  idempotency_key: z.string().min(1).max(255).optional(),
  status: z.enum(CHARGE_STATUSES).optional(),
});

export type ParseResult<T> = { ok: true; value: T } | { ok: false; reply: ErrorReply };

/** safeParse with Stripe-shaped errors. `reportInput` lets us tell a missing field from a wrong one. */
export function parseWith<S extends z.ZodType>(schema: S, input: unknown): ParseResult<z.output<S>> {
  const result = schema.safeParse(input, { reportInput: true });
  return result.success ? { ok: true, value: result.data } : { ok: false, reply: fromZodError(result.error) };
}
