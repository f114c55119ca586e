'use strict';
/**
 * Hosts PGlite in a worker thread (see pglite-adapter.ts for why). Plain CommonJS on purpose: the thread
 * starts without any TypeScript loader, so this file must run on bare Node, from tsx and from Jest alike.
 * Protocol: request { id, op: 'query' | 'exec' | 'close', sql?, params? } → reply { id, rows } or { id, error }.
 */
const { parentPort, workerData } = require('node:worker_threads');
const { PGlite } = require('@electric-sql/pglite');

const ready = PGlite.create(workerData.dataDir);
// Reported through the first request instead; without this Node would flag an unhandled rejection.
ready.catch(() => undefined);

parentPort.on('message', async (request) => {
  try {
    const db = await ready;
    parentPort.postMessage({ id: request.id, rows: await run(db, request) });
  } catch (err) {
    parentPort.postMessage({ id: request.id, error: toPlainError(err) });
  }
});

async function run(db, { op, sql, params }) {
  if (op === 'query') return (await db.query(sql, params)).rows;
  if (op === 'exec') await db.exec(sql);
  else if (op === 'close') await db.close();
  else throw new Error(`unknown op ${op}`);
  return [];
}

/** Structured clone keeps only an Error's message and stack; copy the Postgres fields callers inspect. */
function toPlainError(err) {
  const fields = ['code', 'detail', 'hint', 'severity', 'constraint', 'table', 'column', 'schema', 'where'];
  const plain = { name: err?.name ?? 'Error', message: err?.message ?? String(err), stack: err?.stack };
  for (const field of fields) if (err?.[field] !== undefined) plain[field] = err[field];
  return plain;
}
