/**
 * Saves workflow histories for the replay suite. Only when RECORD_HISTORIES=1: the committed histories are
 * the reference that every later change to workflow code must replay without a determinism error.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { paymentWorkflowId } from '../../shared/idempotency';

export const HISTORIES_DIR = path.join(__dirname, '..', 'histories');

export async function saveHistory(env: TestWorkflowEnvironment, name: string, paymentId: string): Promise<void> {
  if (process.env.RECORD_HISTORIES !== '1') return;
  const history = await env.client.workflow.getHandle(paymentWorkflowId(paymentId)).fetchHistory();
  mkdirSync(HISTORIES_DIR, { recursive: true });
  writeFileSync(path.join(HISTORIES_DIR, `${name}.json`), historyToJSON(history));
}
