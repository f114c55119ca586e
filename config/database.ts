/**
 * The audit database's two variables, under one rule wherever they are read (worker, API, `npm run migrate`,
 * `npm run reconcile`), so a script always opens the database the worker writes. Only zod: audit/ imports it too.
 */
import { z } from 'zod';

/** Where embedded PGlite keeps the audit trail when neither DATABASE_URL nor AUDIT_DATA_DIR is set. */
export const DEFAULT_AUDIT_DATA_DIR = '.data/audit';

/** Unset and empty are the same thing here (`DATABASE_URL= npm run migrate`): both mean "use the default". */
const unsetIfEmpty = <T extends z.ZodType<string>>(schema: T) =>
  z.preprocess((v) => (v === '' ? undefined : v), schema.optional());

export const databaseEnv = {
  /** PostgreSQL for the audit trail (`postgres://` or `postgresql://`); unset: embedded PGlite in AUDIT_DATA_DIR. */
  DATABASE_URL: unsetIfEmpty(z.url({ protocol: /^postgres(ql)?$/, error: 'must be a postgres:// URL' })),
  AUDIT_DATA_DIR: unsetIfEmpty(z.string()).transform((v) => v ?? DEFAULT_AUDIT_DATA_DIR),
};
