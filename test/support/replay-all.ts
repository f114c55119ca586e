/**
 * Replays the history of every workflow a Temporal server holds against today's workflow code. The suite runs
 * it over everything it created (global teardown, and the UI test over its own server): a history that the
 * code cannot reproduce is a payment that a worker restart would strand, whichever test happened to make it.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import type { temporal } from '@temporalio/proto';
import { DefaultLogger, Runtime, Worker, type ReplayWorkerOptions } from '@temporalio/worker';
import { WORKFLOW_BUNDLER_OPTIONS, WORKFLOWS_PATH } from '../../worker/workflow-bundle';
import { TEST_DATA_CONVERTER } from './encryption';

export interface ReplayReport {
  replayed: number;
  failures: { workflowId: string; runId: string; error: string }[];
  /** Where the failing histories were written, to replay or read them after the server is gone. */
  savedTo?: string;
}

function installQuietRuntime(): void {
  try {
    Runtime.install({ logger: new DefaultLogger('ERROR') });
  } catch {
    // Already installed in this process.
  }
}

/** Today's workflow code as production runs it (encrypted payloads), for replaying. */
export const CURRENT_WORKFLOWS: ReplayWorkerOptions = {
  workflowsPath: WORKFLOWS_PATH,
  bundlerOptions: WORKFLOW_BUNDLER_OPTIONS,
  dataConverter: TEST_DATA_CONVERTER,
};

/** One line per history that does not replay: `<workflowId>: <first line of the error>`. */
export async function replayFailures(
  histories: Iterable<{ workflowId: string; history: unknown }>,
  options: ReplayWorkerOptions = CURRENT_WORKFLOWS,
): Promise<string[]> {
  const failures: string[] = [];
  for await (const r of Worker.runReplayHistories(options, histories)) {
    if (r.error) failures.push(`${r.workflowId}: ${String(r.error).split('\n')[0]}`);
  }
  return failures;
}

export async function replayAllHistories(address: string, namespace = 'default'): Promise<ReplayReport> {
  installQuietRuntime();
  const connection = await Connection.connect({ address });
  try {
    const client = new Client({ connection, namespace, dataConverter: TEST_DATA_CONVERTER });
    const histories: { workflowId: string; history: unknown }[] = [];
    for await (const h of client.workflow.list().intoHistories({ concurrency: 4 })) histories.push(h);
    const report: ReplayReport = { replayed: 0, failures: [] };
    for await (const r of Worker.runReplayHistories(CURRENT_WORKFLOWS, histories)) {
      report.replayed += 1;
      if (r.error) report.failures.push({ workflowId: r.workflowId, runId: r.runId, error: String(r.error) });
    }
    if (report.failures.length > 0) report.savedTo = saveFailing(report, histories);
    return report;
  } finally {
    await connection.close();
  }
}

function saveFailing(report: ReplayReport, histories: { workflowId: string; history: unknown }[]): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'dp-replay-failures-'));
  const failing = new Set(report.failures.map((f) => f.workflowId));
  for (const h of histories.filter((x) => failing.has(x.workflowId))) {
    const history = h.history as temporal.api.history.v1.History;
    writeFileSync(path.join(dir, `${h.workflowId}.json`), historyToJSON(history));
  }
  return dir;
}

/** One line per failure, for an error message that says which payment broke and how. */
export function describeFailures(report: ReplayReport): string {
  const lines = report.failures.map((f) => `${f.workflowId} (${f.runId}): ${f.error.split('\n')[0]}`);
  if (report.savedTo) lines.push(`histories saved in ${report.savedTo}`);
  return lines.join('\n');
}
