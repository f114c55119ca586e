/**
 * Recorded workflow histories for the replay suite. `test/histories/*.json` are runs of release 0.1 (legacy shape);
 * `test/histories/current/` holds runs of the current shape, re-recorded with RECORD_HISTORIES=1. Every later
 * change to workflow code must replay both without a determinism error.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { paymentWorkflowId } from '../../shared/ids';

export const HISTORIES_DIR = path.join(__dirname, '..', 'histories');
const CURRENT_DIR = path.join(HISTORIES_DIR, 'current');

export async function saveHistory(env: TestWorkflowEnvironment, name: string, paymentId: string): Promise<void> {
  await saveWorkflowHistory(env, name, paymentWorkflowId(paymentId));
}

/** Any workflow's history (a dispute, a sweep); `runId` picks a run other than the latest. */
export async function saveWorkflowHistory(
  env: TestWorkflowEnvironment,
  name: string,
  workflowId: string,
  runId?: string,
): Promise<void> {
  if (process.env.RECORD_HISTORIES !== '1') return;
  const history = await env.client.workflow.getHandle(workflowId, runId).fetchHistory();
  mkdirSync(CURRENT_DIR, { recursive: true });
  writeFileSync(path.join(CURRENT_DIR, `${name}.json`), historyToJSON(history));
}

/** Every recorded history, legacy and current, named `<name>` or `current/<name>`. */
export function recordedHistories(): { workflowId: string; history: unknown }[] {
  return [HISTORIES_DIR, CURRENT_DIR].flatMap((dir) =>
    readdirSync(dir, { withFileTypes: true })
      .filter((f) => f.isFile() && f.name.endsWith('.json'))
      .map((f) => ({
        workflowId: path.relative(HISTORIES_DIR, path.join(dir, f.name)).replace(/\.json$/, ''),
        history: JSON.parse(readFileSync(path.join(dir, f.name), 'utf8')),
      })),
  );
}
