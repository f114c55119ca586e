/**
 * Issue 14, disputes: an operator's Terminate runs no dispute code, and the evidence deadline does not stop for it.
 * The termination sweep records the terminated run in the dispute's trail and starts the next run under the same
 * id, which resumes from the trail and still submits before the deadline; one that cannot resume (deadline passed)
 * stays `terminated`, flagged NeedsAttention. A dispute already decided, and another queue's, are left alone.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { SweepReport } from '../../activities/termination-sweep';
import { openAuditStore } from '../../audit/open';
import type { AuditStore, DisputeAuditEntry } from '../../audit/types';
import type { GatewayDispute } from '../../client/disputes-client';
import { DisputeStateError } from '../../client/errors';
import { createLogger } from '../../logging/logger';
import { DISPUTE_INPUT_VERSION } from '../../shared/dispute-policy';
import { disputeWorkflowId } from '../../shared/ids';
import { DisputeStatusKey, NeedsAttentionKey } from '../../shared/search-attributes';
import { startApiHarness, type ApiHarness } from '../api/api-harness';
import { VISA } from '../support/cards';
import { saveWorkflowHistory } from '../support/histories';
import { uniqueKey } from '../support/payment-harness';
import { eventually } from '../support/wait';

const LOOKBACK_MS = 3_600_000;

/** Holds a dispute's audit write after it is stored, so a test can terminate the run between row and return. */
const held = new Map<string, Promise<void>>();
function holdingStore(store: AuditStore): AuditStore {
  const appendDispute = async (entry: DisputeAuditEntry) => {
    const written = await store.appendDispute(entry);
    await held.get(`${entry.disputeId}:${entry.status}`);
    return written;
  };
  return new Proxy(store, {
    get: (target, prop) => {
      if (prop === 'appendDispute') return appendDispute;
      const value = Reflect.get(target, prop) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

let api: ApiHarness;
let store: AuditStore;
let dataDir: string;
beforeAll(async () => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'dp-dispute-term-'));
  store = await openAuditStore({ dataDir, logger: createLogger({ level: 'warn', name: 'test' }) });
  api = await startApiHarness({}, { harness: { audit: holdingStore(store) } });
});
afterAll(async () => {
  await api?.teardown();
  await store?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const client = () => api.h.env.client;
const handleOf = (disputeId: string, runId?: string) =>
  client().workflow.getHandle(disputeWorkflowId(disputeId), runId);

async function paidCharge(): Promise<string> {
  const { paymentId } = await api.h.client.startPayment({
    idempotencyKey: uniqueKey('disputed'),
    amount: 4200,
    currency: 'USD',
    paymentMethod: VISA,
  });
  const result = await api.h.client.result(paymentId);
  expect(result.status).toBe('succeeded');
  return result.chargeId ?? '';
}

async function sandbox<T>(urlPath: string, body: unknown): Promise<T> {
  const res = await fetch(`${api.h.gateway.url}${urlPath}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${urlPath}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

async function gatewayDispute(id: string): Promise<{ status: string; evidence: Record<string, string> }> {
  const res = await fetch(`${api.h.gateway.url}/v1/disputes/${id}`, {
    headers: { authorization: 'Bearer sk_test_sandbox' },
  });
  return (await res.json()) as { status: string; evidence: Record<string, string> };
}

/** A dispute on a fresh charge, its workflow running (the sandbox's webhook may have opened it already). */
async function openDispute(dueInMs: number): Promise<GatewayDispute> {
  const dispute = await sandbox<GatewayDispute>('/_sandbox/disputes', {
    charge: await paidCharge(),
    reason: 'product_not_received',
    due_in_ms: dueInMs,
  });
  await api.disputes.openDispute(dispute);
  return dispute;
}

const stateIs = (disputeId: string, status: string) =>
  eventually(
    () => api.disputes.getDispute(disputeId),
    (s) => s.status === status,
  );

let lastSweepId = '';
function sweep(label: string): Promise<SweepReport> {
  lastSweepId = `sweep-${label}-${randomUUID()}`;
  return client().workflow.execute('terminationSweepWorkflow', {
    workflowId: lastSweepId,
    taskQueue: api.h.taskQueue,
    args: [{ lookbackMs: LOOKBACK_MS }],
  }) as Promise<SweepReport>;
}

/** Sweeps until one has recorded the dispute (visibility is eventually consistent). */
function sweepUntilRecorded(disputeId: string): Promise<SweepReport> {
  return eventually(
    () => sweep(disputeId),
    (report) => report.disputes?.recorded.includes(disputeId) === true,
  );
}

async function attributes(disputeId: string) {
  const described = await handleOf(disputeId).describe();
  return {
    runId: described.runId,
    running: described.status.name,
    status: described.typedSearchAttributes.get(DisputeStatusKey),
    needsAttention: described.typedSearchAttributes.get(NeedsAttentionKey),
  };
}

const terminatedRows = async (disputeId: string) =>
  (await store.disputeHistory(disputeId)).filter((r) => r.status === 'terminated');

describe('terminated disputes', () => {
  it('waiting for evidence: recorded once, resumed in a new run, and the evidence still reaches the gateway in time', async () => {
    const dueInMs = 40_000;
    const dispute = await openDispute(dueInMs);
    const dueBy = Date.parse(new Date(dispute.evidence_details.due_by_ms ?? 0).toISOString());
    await stateIs(dispute.id, 'evidence_gathered');
    const first = await handleOf(dispute.id).describe();
    await handleOf(dispute.id).terminate('moving to the new evidence tool, ops ticket 77');

    const report = await sweepUntilRecorded(dispute.id);
    expect(report.disputes?.started).toContain(dispute.id);
    expect(report.disputes?.needsAttention).not.toContain(dispute.id);
    const rows = await terminatedRows(dispute.id);
    expect(rows).toHaveLength(1);
    expect(rows[0].metadata).toMatchObject({
      by: 'operator',
      via: 'temporal',
      reason: 'moving to the new evidence tool, ops ticket 77',
      requestedBy: expect.any(String),
      runId: first.runId,
      lastStatus: 'evidence_gathered',
      dueBy: new Date(dueBy).toISOString(),
      resume: 'gather',
      needsAttention: false,
    });

    // The new run under the same id is running, and every reader says where the dispute is.
    const resumed = await eventually(
      () => attributes(dispute.id),
      (a) => a.status === 'evidence_gathered',
    );
    expect(resumed).toMatchObject({ running: 'RUNNING', status: 'evidence_gathered', needsAttention: false });
    expect(resumed.runId).not.toBe(first.runId);
    const got = await api.call('GET', `/disputes/${dispute.id}`);
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({
      status: 'evidence_gathered',
      terminated: {
        runId: first.runId,
        by: 'operator',
        reason: 'moving to the new evidence tool, ops ticket 77',
        requestedBy: expect.any(String),
      },
    });
    expect(got.body.needsAttention).toBeUndefined();
    expect(got.body.evidence).toMatchObject({ refund_policy: 'https://shop.example/refunds' });

    // Approved after the terminate: submitted to the gateway before the deadline.
    const approved = await api.call('POST', `/disputes/${dispute.id}/approve`, { body: { approvedBy: 'ops@shop' } });
    expect(approved.status).toBe(202);
    const submitted = await stateIs(dispute.id, 'submitted');
    expect(submitted.approvedBy).toBe('ops@shop');
    expect(Date.parse(submitted.submittedAt ?? '')).toBeLessThan(dueBy);
    expect(await gatewayDispute(dispute.id)).toMatchObject({
      status: 'under_review',
      evidence: expect.objectContaining({ refund_policy: 'https://shop.example/refunds' }),
    });
    expect((await store.disputeHistory(dispute.id)).map((r) => r.status)).toEqual([
      'needs_response',
      'evidence_gathered',
      'terminated',
      'evidence_gathered',
      'submitted',
    ]);

    // Another sweep writes nothing and starts nothing: the resumed run carries the dispute.
    const again = await sweep(`again-${dispute.id}`);
    expect(again.disputes?.recorded).not.toContain(dispute.id);
    expect(again.disputes?.started).not.toContain(dispute.id);
    expect(await terminatedRows(dispute.id)).toHaveLength(1);
    expect((await attributes(dispute.id)).runId).toBe(resumed.runId);

    // The bank decides; the gateway's dispute.closed webhook reaches the resumed run.
    await sandbox(`/_sandbox/disputes/${dispute.id}/close`, { outcome: 'won' });
    expect(await handleOf(dispute.id).result()).toMatchObject({ status: 'won', outcome: 'won' });
    expect((await store.disputeHistory(dispute.id)).at(-1)?.status).toBe('won');
    await saveWorkflowHistory(api.h.env, 'dispute-resumed-after-terminate', disputeWorkflowId(dispute.id));
  });

  it('the deadline passed before the sweep: recorded as not resumable, flagged NeedsAttention, and says so', async () => {
    // Margin 1 s: the run would submit 2 s in; it is terminated before that and swept after the deadline.
    const dueInMs = 3_000;
    const dispute = await openDispute(dueInMs);
    await stateIs(dispute.id, 'evidence_gathered');
    await handleOf(dispute.id).terminate('stuck');
    const dueBy = dispute.evidence_details.due_by_ms ?? 0;
    await new Promise((r) => setTimeout(r, Math.max(0, dueBy - Date.now()) + 200));

    const report = await sweepUntilRecorded(dispute.id);
    expect(report.disputes?.needsAttention).toContain(dispute.id);
    const rows = await terminatedRows(dispute.id);
    expect(rows).toHaveLength(1);
    expect(rows[0].metadata).toMatchObject({
      reason: 'stuck',
      lastStatus: 'evidence_gathered',
      resume: 'none',
      cannotResume: 'deadline_passed',
      needsAttention: true,
    });
    const attrs = await eventually(
      () => attributes(dispute.id),
      (a) => a.running === 'RUNNING' && a.status === 'terminated' && a.needsAttention === true,
    );
    expect(attrs).toMatchObject({ running: 'RUNNING', status: 'terminated', needsAttention: true });
    const got = await eventually(
      () => api.call('GET', `/disputes/${dispute.id}`),
      (a) => a.body?.needsAttention === true,
    );
    expect(got.body).toMatchObject({ status: 'terminated', needsAttention: true, terminated: { reason: 'stuck' } });
    expect(got.body.submittedAt).toBeUndefined();
    const listed = await eventually(
      () => api.disputes.listDisputes({ status: 'terminated' }),
      (list) => list.some((d) => d.disputeId === dispute.id),
    );
    expect(listed.map((d) => d.disputeId)).toContain(dispute.id);
    // Nothing was submitted, and a late approval is refused rather than silently dropped.
    await expect(api.disputes.approveEvidence(dispute.id, { approvedBy: 'late@shop' })).rejects.toBeInstanceOf(
      DisputeStateError,
    );
    expect((await gatewayDispute(dispute.id)).status).toBe('needs_response');
    expect((await store.disputeHistory(dispute.id)).at(-1)?.status).toBe('terminated');
  });

  it('terminated after the bank had decided (its trail ends won): needs nothing', async () => {
    const dispute = await openDispute(600_000);
    await stateIs(dispute.id, 'evidence_gathered');
    await api.disputes.approveEvidence(dispute.id, { approvedBy: 'ops@shop' });
    await stateIs(dispute.id, 'submitted');
    // The `won` row is written, then its activity is held: the run is terminated with its decision recorded.
    let release = () => {};
    held.set(
      `${dispute.id}:won`,
      new Promise<void>((r) => {
        release = r;
      }),
    );
    try {
      await sandbox(`/_sandbox/disputes/${dispute.id}/close`, { outcome: 'won' });
      await eventually(
        () => store.disputeHistory(dispute.id),
        (rows) => rows.at(-1)?.status === 'won',
      );
      await handleOf(dispute.id).terminate('cleanup');
    } finally {
      release();
      held.delete(`${dispute.id}:won`);
    }
    const first = await handleOf(dispute.id).describe();
    expect(first.status.name).toBe('TERMINATED');

    // Another dispute terminated after it: once a sweep records that one, visibility has seen this one too.
    const marker = await openDispute(600_000);
    await stateIs(marker.id, 'evidence_gathered');
    await handleOf(marker.id).terminate('marker');
    const report = await sweepUntilRecorded(marker.id);
    expect(report.disputes?.recorded).not.toContain(dispute.id);
    expect(report.disputes?.started).not.toContain(dispute.id);
    expect(await terminatedRows(dispute.id)).toEqual([]);
    expect((await handleOf(dispute.id).describe()).runId).toBe(first.runId); // no new run
    expect(await api.disputes.getDispute(dispute.id)).toMatchObject({ status: 'won', outcome: 'won' });
    expect((await attributes(dispute.id)).status).toBe('won');
  });

  it("leaves another task queue's terminated dispute to that deployment's sweeper", async () => {
    const foreignId = `dp_foreign_${randomUUID().slice(0, 8)}`;
    const foreign = await client().workflow.start('disputeWorkflow', {
      workflowId: disputeWorkflowId(foreignId),
      taskQueue: `elsewhere-${randomUUID()}`,
      args: [
        {
          version: DISPUTE_INPUT_VERSION,
          disputeId: foreignId,
          chargeId: 'ch_elsewhere',
          amount: 100,
          currency: 'USD',
          reason: 'general',
          dueByMs: Date.now() + 600_000,
        },
      ],
    });
    await foreign.terminate('not ours');
    const ours = await openDispute(600_000);
    await stateIs(ours.id, 'evidence_gathered');
    await handleOf(ours.id).terminate('ours');
    const report = await sweepUntilRecorded(ours.id);
    expect(report.disputes?.recorded).not.toContain(foreignId);
    expect(report.disputes?.started).not.toContain(foreignId);
    expect(report.disputes?.pending).not.toContain(foreignId);
    expect(await store.disputeHistory(foreignId)).toEqual([]);
    expect((await foreign.describe()).runId).toBe(foreign.firstExecutionRunId);
    await saveWorkflowHistory(api.h.env, 'termination-sweep-with-disputes', lastSweepId);
  });
});
