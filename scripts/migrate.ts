/**
 * `npm run migrate`: applies pending audit-trail migrations (the same ones `openAuditStore` applies at
 * start-up) and reports what it did. Safe to run any number of times, also while workers start.
 * Env: DATABASE_URL (optional; PGlite under AUDIT_DATA_DIR otherwise).
 */
import pino from 'pino';
import { runMigrations } from '../audit/migrate';
import { openSqlAdapter } from '../audit/open';
import { MigrateEnvSchema, parseEnv } from '../config';

export async function main(env: Record<string, string | undefined>): Promise<number> {
  try {
    const config = parseEnv(MigrateEnvSchema, env);
    const logger = pino({ name: 'migrate', level: 'warn' }, process.stderr);
    const db = await openSqlAdapter({ databaseUrl: config.DATABASE_URL, dataDir: config.AUDIT_DATA_DIR, logger });
    const where = config.DATABASE_URL ? 'PostgreSQL' : `PGlite at ${config.AUDIT_DATA_DIR}`;
    const result = await runMigrations(db, logger).finally(() => db.close());
    result.applied.forEach((name) => console.log(`applied ${name}`));
    console.log(`${where}: schema at version ${result.currentVersion} (${result.applied.length} applied now)`);
    return 0;
  } catch (err) {
    console.error(`migrate failed: ${(err as Error).message}`);
    return 1;
  }
}

if (require.main === module) {
  void main(process.env).then((code) => {
    process.exitCode = code;
  });
}
