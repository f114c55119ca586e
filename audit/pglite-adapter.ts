/** The embedded PGlite backend (the default, under AUDIT_DATA_DIR): the SQL seam of types.ts over a worker thread. */
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { SqlAdapter, SqlExecutor } from './types';

type Op = 'query' | 'exec' | 'close';
type Reply = { id: number; rows?: unknown[]; error?: Record<string, unknown> & { message: string } };

/**
 * Embedded, file-backed PostgreSQL (WASM), run in a worker thread because
 * - PGlite loads its WASM through dynamic `import()`, which Jest's module sandbox refuses, and
 * - a query then runs off the main event loop, so heartbeats and timers stay on time.
 * PGlite has one session, so every call is queued here in FIFO order; a transaction keeps the queue
 * until COMMIT/ROLLBACK, so no other caller's statement can land inside it.
 * One process per data directory: PGlite does not lock the directory against a second process.
 */
export async function openPgliteAdapter(dataDir: string): Promise<SqlAdapter> {
  const rpc = startWorker(dataDir);
  let tail: Promise<unknown> = Promise.resolve();
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const result = tail.then(fn);
    tail = result.catch(() => undefined);
    return result;
  };
  const direct: SqlExecutor = {
    query: async <R>(sql: string, params: readonly unknown[] = []) => (await rpc('query', sql, [...params])) as R[],
    exec: async (sql: string) => void (await rpc('exec', sql)),
  };
  const adapter: SqlAdapter = {
    backend: 'pglite',
    query: (sql, params) => serial(() => direct.query(sql, params)),
    exec: (sql) => serial(() => direct.exec(sql)),
    transaction: (fn) => serial(() => inTransaction(direct, fn)),
    close: () => serial(() => rpc('close').then(() => undefined)),
  };
  try {
    // Surfaces a bad data dir or a broken WASM load now, not on the first payment.
    await adapter.query('SELECT 1');
  } catch (err) {
    await adapter.close().catch(() => undefined);
    throw err;
  }
  return adapter;
}

async function inTransaction<T>(db: SqlExecutor, fn: (tx: SqlExecutor) => Promise<T>): Promise<T> {
  await db.exec('BEGIN');
  try {
    const result = await fn(db);
    await db.exec('COMMIT');
    return result;
  } catch (err) {
    await db.exec('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

function startWorker(dataDir: string) {
  const worker = new Worker(path.join(__dirname, 'pglite-worker.js'), { workerData: { dataDir } });
  const pending = new Map<number, { resolve: (rows: unknown[]) => void; reject: (err: Error) => void }>();
  let nextId = 1;
  let failure: Error | undefined;
  // Only keep the process alive while a call is waiting, so a forgotten close() cannot hang a script.
  const updateRef = () => (pending.size > 0 ? worker.ref() : worker.unref());
  const failAll = (err: Error) => {
    failure ??= err;
    pending.forEach((p) => p.reject(err));
    pending.clear();
    updateRef();
  };
  worker.on('message', (reply: Reply) => {
    const call = pending.get(reply.id);
    pending.delete(reply.id);
    updateRef();
    if (reply.error) call?.reject(toError(reply.error));
    else call?.resolve(reply.rows ?? []);
  });
  worker.on('error', (err) => failAll(err));
  worker.on('exit', (code) => failAll(new Error(`PGlite worker exited (code ${code})`)));
  updateRef();

  return (op: Op, sql?: string, params?: unknown[]): Promise<unknown[]> => {
    if (failure) return Promise.reject(failure);
    const id = nextId++;
    const reply = new Promise<unknown[]>((resolve, reject) => pending.set(id, { resolve, reject }));
    worker.postMessage({ id, op, sql, params });
    updateRef();
    if (op !== 'close') return reply;
    return reply.finally(() => {
      failure = new Error('PGlite database is closed');
      void worker.terminate();
    });
  };
}

/** Rebuilds a worker error with every Postgres field (code, detail...) but the caller's stack, not PGlite's. */
function toError(plain: Record<string, unknown> & { message: string }): Error {
  const err = new Error(plain.message);
  for (const [key, value] of Object.entries(plain)) {
    if (key !== 'stack' && key !== 'message') Object.defineProperty(err, key, { value, enumerable: true });
  }
  return err;
}
