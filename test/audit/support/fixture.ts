import { randomUUID } from 'node:crypto';
import { runMigrations } from '../../../audit/migrate';
import { openSqlAdapter } from '../../../audit/open';
import { createAuditStore } from '../../../audit/sql-store';
import type { AuditStore, SqlAdapter } from '../../../audit/types';
import { createBackend, silentLogger, type Backend, type BackendName } from './backends';

export interface StoreFixture {
  store: AuditStore;
  /** The store's own connection, for raw SQL (PGlite allows one instance per data dir). */
  db: SqlAdapter;
}

/**
 * Registers beforeAll/afterAll that give the describe block a migrated store on a fresh database.
 * Read the fields inside tests only: they are filled in by beforeAll.
 */
export function useStore(name: BackendName): StoreFixture {
  const fixture = {} as StoreFixture;
  let backend: Backend | undefined;
  beforeAll(async () => {
    backend = await createBackend(name);
    fixture.db = await openSqlAdapter({ ...backend.options, logger: silentLogger });
    await runMigrations(fixture.db, silentLogger);
    fixture.store = createAuditStore(fixture.db, silentLogger);
  });
  afterAll(async () => {
    await fixture.store?.close();
    await backend?.dispose();
  });
  return fixture;
}

export const newPaymentId = (): string => randomUUID();

export async function countRows(db: SqlAdapter, paymentId?: string): Promise<number> {
  const sql = paymentId
    ? 'SELECT count(*)::int AS n FROM payment_status WHERE payment_id = $1'
    : 'SELECT count(*)::int AS n FROM payment_status';
  const [row] = await db.query<{ n: number }>(sql, paymentId ? [paymentId] : []);
  return row.n;
}
