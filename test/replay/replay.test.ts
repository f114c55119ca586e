/**
 * Replays the committed histories of real runs (recorded with RECORD_HISTORIES=1 from the payment tests)
 * against today's workflow code: a non-deterministic change fails here, before it can strand live payments.
 * Release 0.1's runs (legacy shape) and the current shape are both kept.
 */
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { recordedHistories } from '../support/histories';
import { CURRENT_WORKFLOWS } from '../support/replay-all';

const histories = recordedHistories();

beforeAll(() => {
  try {
    Runtime.install({ logger: new DefaultLogger('ERROR') });
  } catch {
    // Installed already by another test file in this process.
  }
});

describe('replay of recorded payment histories', () => {
  it('has recorded histories of both shapes to replay', () => {
    expect(histories.filter((h) => !h.workflowId.startsWith('current/')).length).toBeGreaterThanOrEqual(8);
    expect(histories.filter((h) => h.workflowId.startsWith('current/')).length).toBeGreaterThanOrEqual(8);
  });

  it('replays every recorded history without a determinism error', async () => {
    const results = [];
    for await (const r of Worker.runReplayHistories(CURRENT_WORKFLOWS, histories)) {
      results.push({ workflowId: r.workflowId, error: r.error ? String(r.error) : undefined });
    }
    expect(results).toHaveLength(histories.length);
    expect(results.filter((r) => r.error)).toEqual([]);
  });
});
