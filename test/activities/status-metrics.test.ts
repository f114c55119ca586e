/**
 * The audit activities count a status once its row is inserted, on the real stores: a write retried after its
 * commit (the same event key) inserts nothing and counts nothing, and a run whose key an earlier run owns writes
 * and counts nothing; and what a row's facts add up to, on a meter that keeps what it is told (a unit test). The
 * worker test (test/worker/metrics.test.ts) reads the counts off the real endpoint.
 */
import { randomUUID } from 'node:crypto';
import { MockActivityEnvironment } from '@temporalio/testing';
import { createAuditActivities } from '../../activities/audit';
import { statusMetrics, type StatusMetrics, type WrittenRow } from '../../activities/status-metrics';
import type { DisputeStatus } from '../../shared/dispute-status';
import { BACKENDS } from '../audit/support/backends';
import { newPaymentId, useStore } from '../audit/support/fixture';
import { keepingMeter } from '../support/keeping-meter';

function recorder(): StatusMetrics & { rows: WrittenRow[]; disputes: DisputeStatus[] } {
  const rows: WrittenRow[] = [];
  const disputes: DisputeStatus[] = [];
  return { rows, disputes, paymentRows: (r) => void rows.push(...r), disputeRow: (s) => void disputes.push(s) };
}

const claimOf = (runId: string) => ({ idempotencyKey: `key-${randomUUID()}`, fingerprint: 'fp-1', runId });

describe.each(BACKENDS)('status metrics on %s', (backend) => {
  const fx = useStore(backend);

  it('counts a row once, however often its write is retried', async () => {
    const seen = recorder();
    const audit = createAuditActivities({ audit: fx.store, statusMetrics: seen });
    const paymentId = newPaymentId();
    const answer = { gateway: 'sandbox', startedAtMs: Date.now() - 1_000 };
    const row = { paymentId, eventKey: 'run-1:3:succeeded', status: 'succeeded' as const, answer };
    const metadata = { amount: 2500, currency: 'USD', attempt: 1 };
    expect(await audit.recordStatus({ ...row, metadata })).toEqual({ inserted: true });
    expect(await audit.recordStatus({ ...row, metadata })).toEqual({ inserted: false });
    // The answer's facts reach the metrics but not the row: the trail holds what it always held.
    expect(seen.rows).toEqual([{ status: 'succeeded', metadata, answer }]);
    const [stored] = await fx.store.history(paymentId);
    expect(stored.metadata).toEqual(metadata);
  });

  it("counts a run's first rows once with its claim, and nothing for a run whose key is taken", async () => {
    const seen = recorder();
    const audit = createAuditActivities({ audit: fx.store, statusMetrics: seen });
    const paymentId = newPaymentId();
    const claim = claimOf('run-a');
    const rows = [
      { eventKey: 'run-a:1:initiated', status: 'initiated' as const, metadata: { attempt: 0 } },
      { eventKey: 'run-a:2:processing', status: 'processing' as const, metadata: { attempt: 0 } },
    ];
    await audit.recordStatuses({ paymentId, rows, claim });
    await audit.recordStatuses({ paymentId, rows, claim }); // the same run's activity, retried after its commit
    expect(seen.rows.map((r) => r.status)).toEqual(['initiated', 'processing']);
    const other = { ...claim, runId: 'run-b', fingerprint: 'fp-2' };
    const later = rows.map((r) => ({ ...r, eventKey: r.eventKey.replace('run-a', 'run-b') }));
    const refused = await audit.recordStatuses({ paymentId, rows: later, claim: other });
    expect(refused.earlier?.runId).toBe('run-a');
    expect(seen.rows).toHaveLength(2);
  });

  it('counts a dispute status once', async () => {
    const seen = recorder();
    const audit = createAuditActivities({ audit: fx.store, statusMetrics: seen });
    const row = { disputeId: `dp_${randomUUID()}`, eventKey: 'run-1:1:needs_response', metadata: {} };
    await audit.recordDisputeStatus({ ...row, status: 'needs_response' });
    await audit.recordDisputeStatus({ ...row, status: 'needs_response' });
    expect(seen.disputes).toEqual(['needs_response']);
  });
});

describe('status metrics from a row', () => {
  const info = { namespace: 'ns', taskQueue: 'tq', workflowType: 'payment' };
  const count = (rows: WrittenRow[]) => {
    const kept = keepingMeter();
    const metrics = statusMetrics(kept.meter);
    return new MockActivityEnvironment(info).run(async () => metrics.paymentRows(rows)).then(() => kept);
  };
  const usd = { amount: 2500, currency: 'USD', attempt: 2 };

  it('counts the attempts a row carries, by outcome and our decline code, with the run labels', async () => {
    const kept = await count([
      {
        status: 'failed',
        metadata: usd,
        attempts: [
          { outcome: 'error', gateway: 'primary' },
          { outcome: 'declined', errorCode: 'stolen_card', declineClass: 'fraud', gateway: 'primary' },
          { outcome: 'declined', errorCode: 'made_up_by_the_gateway', declineClass: 'hard', gateway: 'primary' },
        ],
        answer: { gateway: 'primary', startedAtMs: Date.now() - 2_000 },
      },
    ]);
    expect(kept.total('payment_attempts', { gateway: 'primary', currency: 'USD', taskQueue: 'tq' })).toBe(3);
    expect(kept.total('payment_charge_attempts', { outcome: 'declined', decline_class: 'fraud' })).toBe(1);
    expect(kept.total('payment_failures', { decline_code: 'stolen_card' })).toBe(1);
    expect(kept.total('payment_failures', { decline_code: 'other' })).toBe(1); // never the gateway's free text
    expect(kept.total('payment_failures', { decline_code: 'gateway_error' })).toBe(1);
    expect(kept.total('payment_status_transitions', { status: 'failed', workflowType: 'payment' })).toBe(1);
    expect(kept.total('payment_success')).toBe(0);
    const [time] = kept.seen.filter((s) => s.name === 'payment_processing_seconds');
    expect(time.value).toBeGreaterThanOrEqual(2);
  });

  it('counts a success with its volume and retry, and a refund only when the gateway made one', async () => {
    const kept = await count([
      { status: 'succeeded', metadata: usd, answer: { gateway: 'primary', startedAtMs: Date.now() } },
      { status: 'partially_refunded', metadata: { ...usd, refundId: 're_1', refundAmount: 700 } },
      { status: 'partially_refunded', metadata: { ...usd, refundSeq: 2, refundOutcome: 'refused' }, restated: true },
    ]);
    expect(kept.total('payment_success', { gateway: 'primary', currency: 'USD' })).toBe(1);
    expect(kept.total('payment_volume_minor_units', { currency: 'USD' })).toBe(2500);
    expect(kept.total('payment_success_after_retry')).toBe(1);
    expect(kept.total('payment_refunds', { currency: 'USD' })).toBe(1);
    expect(kept.total('payment_refunded_minor_units')).toBe(700);
    // The refused refund's row keeps the status: recorded, but no status change.
    expect(kept.total('payment_status_transitions', { status: 'partially_refunded' })).toBe(1);
  });
});
