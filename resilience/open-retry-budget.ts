/** Chooses the retry budget's store by the audit database's rule: PostgreSQL when configured, else this process. */
import type { Logger } from '../logging/logger';
import { InProcessRetryBudget, type RetryBudget, type RetryBudgetSettings } from './retry-budget';

export async function openRetryBudget(opts: {
  databaseUrl?: string;
  bucket: string;
  settings: RetryBudgetSettings;
  logger: Logger;
}): Promise<RetryBudget> {
  if (!opts.databaseUrl) return new InProcessRetryBudget(opts.settings);
  // Lazy, as audit/open.ts does: a PGlite deployment never loads pg.
  const { openPostgresRetryBudget } = await import('./pg-retry-budget');
  return openPostgresRetryBudget({ ...opts, databaseUrl: opts.databaseUrl });
}
