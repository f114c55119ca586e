/** Runs a zod schema over client input; a failure becomes one PaymentValidationError listing every issue. */
import type { z } from 'zod';
import { PaymentValidationError } from './errors';

export function parse<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
  throw new PaymentValidationError(
    issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; '),
    issues,
  );
}
