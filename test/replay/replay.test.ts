/**
 * Replays the committed histories of real runs (recorded with RECORD_HISTORIES=1 from the payment tests)
 * against today's workflow code: a non-deterministic change fails here, before it can strand live payments.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { TEST_DATA_CONVERTER } from '../support/encryption';
import { HISTORIES_DIR } from '../support/histories';

const files = readdirSync(HISTORIES_DIR).filter((f) => f.endsWith('.json'));

beforeAll(() => {
  try {
    Runtime.install({ logger: new DefaultLogger('ERROR') });
  } catch {
    // Installed already by another test file in this process.
  }
});

describe('replay of recorded payment histories', () => {
  it('has recorded histories to replay', () => {
    expect(files.length).toBeGreaterThanOrEqual(8);
  });

  it('replays every recorded history without a determinism error', async () => {
    const histories = files.map((f) => ({
      workflowId: f.replace(/\.json$/, ''),
      history: JSON.parse(readFileSync(path.join(HISTORIES_DIR, f), 'utf8')),
    }));
    const results = [];
    for await (const r of Worker.runReplayHistories(
      { workflowsPath: require.resolve('../../workflows'), dataConverter: TEST_DATA_CONVERTER },
      histories,
    )) {
      results.push({ workflowId: r.workflowId, error: r.error ? String(r.error) : undefined });
    }
    expect(results).toHaveLength(files.length);
    expect(results.filter((r) => r.error)).toEqual([]);
  });
});
