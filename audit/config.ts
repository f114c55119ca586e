import { z } from 'zod';
import { DEFAULT_DATA_DIR } from './open';

/** Unset and empty are the same thing for env vars (`DATABASE_URL= npm run migrate`). */
const optional = <T extends z.ZodType<string>>(schema: T) =>
  z.preprocess((v) => (v === '' ? undefined : v), schema.optional());

/**
 * Environment of the audit scripts. Only the schema lives here; the scripts parse `process.env` with it
 * once at start-up, so a typo fails before anything touches a database.
 */
export const auditEnvSchema = z.object({
  DATABASE_URL: optional(z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')),
  AUDIT_DATA_DIR: optional(z.string()).transform((v) => v ?? DEFAULT_DATA_DIR),
});

export const reconcileEnvSchema = auditEnvSchema.extend({
  GATEWAY_URL: optional(z.url()).transform((v) => v ?? 'http://127.0.0.1:4010'),
});

export type AuditEnv = z.infer<typeof auditEnvSchema>;
export type ReconcileEnv = z.infer<typeof reconcileEnvSchema>;

/** Parses `env` or throws one readable error listing every bad variable. */
export function parseEnv<S extends z.ZodType>(schema: S, env: Record<string, string | undefined>): z.infer<S> {
  const parsed = schema.safeParse(env);
  if (!parsed.success) throw new Error(`invalid environment:\n${z.prettifyError(parsed.error)}`);
  return parsed.data;
}
