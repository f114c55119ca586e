import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadMigrations, MIGRATIONS_DIR, runMigrations } from '../../audit/migrate';
import { openAuditStore, openSqlAdapter } from '../../audit/open';
import { AuditInputError } from '../../audit/validate';
import { BACKENDS, createBackend, silentLogger, type Backend } from './support/backends';
import { newPaymentId } from './support/fixture';

describe.each(BACKENDS)('audit migrations and store lifecycle on %s', (name) => {
  let backend: Backend;
  beforeEach(async () => {
    backend = await createBackend(name);
  });
  afterEach(() => backend.dispose());

  const migrationRows = async () => {
    const db = await openSqlAdapter({ ...backend.options, logger: silentLogger });
    try {
      return await db.query<{ version: number; name: string }>('SELECT version, name FROM schema_migrations');
    } finally {
      await db.close();
    }
  };

  it('applies once and is a no-op when the store is opened again; data survives', async () => {
    const paymentId = newPaymentId();
    const first = await openAuditStore({ ...backend.options, logger: silentLogger });
    await first.append({ paymentId, eventKey: '1', status: 'initiated' });
    await first.close();
    const second = await openAuditStore({ ...backend.options, logger: silentLogger });
    expect((await second.history(paymentId)).map((r) => r.status)).toEqual(['initiated']);
    await second.close();
    expect(await migrationRows()).toEqual([
      { version: 1, name: '001_payment_status' },
      { version: 2, name: '002_dispute_status' },
      { version: 3, name: '003_idempotency_keys' },
      { version: 4, name: '004_terminated_status' },
      { version: 5, name: '005_dispute_terminated_status' },
      { version: 6, name: '006_queued_status' },
    ]);
  });

  it('validates before touching the database: a closed store still answers bad input with AuditInputError', async () => {
    const store = await openAuditStore({ ...backend.options, logger: silentLogger });
    await store.close();
    await store.close(); // idempotent
    const badInput = store.append({ paymentId: 'nope', eventKey: '1', status: 'initiated' });
    await expect(badInput).rejects.toBeInstanceOf(AuditInputError);
    const goodInput = store.append({ paymentId: newPaymentId(), eventKey: '1', status: 'initiated' });
    await expect(goodInput).rejects.not.toBeInstanceOf(AuditInputError);
  });

  it('reports what it applied, then nothing', async () => {
    const db = await openSqlAdapter({ ...backend.options, logger: silentLogger });
    try {
      expect(await runMigrations(db, silentLogger)).toEqual({
        applied: [
          '001_payment_status',
          '002_dispute_status',
          '003_idempotency_keys',
          '004_terminated_status',
          '005_dispute_terminated_status',
          '006_queued_status',
        ],
        currentVersion: 6,
      });
      expect(await runMigrations(db, silentLogger)).toEqual({ applied: [], currentVersion: 6 });
    } finally {
      await db.close();
    }
  });

  it('refuses to start when an applied migration file was edited', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'dp-audit-migrations-'));
    const db = await openSqlAdapter({ ...backend.options, logger: silentLogger });
    try {
      await runMigrations(db, silentLogger);
      const original = await readFile(path.join(MIGRATIONS_DIR, '001_payment_status.sql'), 'utf8');
      await writeFile(path.join(dir, '001_payment_status.sql'), `${original}\n-- edited\n`);
      await expect(runMigrations(db, silentLogger, dir)).rejects.toThrow(/001_payment_status was changed/);
    } finally {
      await db.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('audit migrations on postgres, concurrently', () => {
  it('lets concurrent start-ups take turns (advisory lock): each migration applied once, by one, none failing', async () => {
    const backend = await createBackend('postgres');
    // Connected first (each like a separate process), so the migrations themselves start together.
    const dbs = await Promise.all(
      Array.from({ length: 8 }, () => openSqlAdapter({ ...backend.options, logger: silentLogger })),
    );
    try {
      const names = (await loadMigrations()).map((m) => m.name);
      const outcomes = await Promise.allSettled(dbs.map((db) => runMigrations(db, silentLogger)));
      // Without the lock, a second runner that read "nothing applied" re-runs a migration: it fails on the
      // first one's uncommitted tables, or both report it applied.
      expect(outcomes.filter((o) => o.status === 'rejected')).toEqual([]);
      const results = outcomes.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []));
      expect(results.flatMap((r) => r.applied).sort()).toEqual(names);
      expect(results.filter((r) => r.applied.length > 0)).toHaveLength(1);
      expect(new Set(results.map((r) => r.currentVersion))).toEqual(new Set([names.length]));
      expect((await migrationRowsOf(backend)).map((r) => r.name)).toEqual(names);
    } finally {
      await Promise.all(dbs.map((db) => db.close()));
      await backend.dispose();
    }
  });
});

async function migrationRowsOf(backend: Backend): Promise<Array<{ version: number; name: string }>> {
  const db = await openSqlAdapter({ ...backend.options, logger: silentLogger });
  try {
    return await db.query<{ version: number; name: string }>(
      'SELECT version, name FROM schema_migrations ORDER BY version',
    );
  } finally {
    await db.close();
  }
}

describe('migration files', () => {
  it('are numbered NNN_name.sql without gaps or duplicates', async () => {
    const migrations = await loadMigrations();
    expect(migrations.map((m) => m.version)).toEqual(migrations.map((_, i) => i + 1));
  });
});
