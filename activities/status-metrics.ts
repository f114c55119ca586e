/**
 * Payment and dispute metrics, counted where a status's audit row is committed: one count per row inserted,
 * however often the workflow code that entered the status runs. A row also carries what happened since the run's
 * last row (its charge attempts, a refund made), and those are counted with it.
 * Counted from workflow code, the SDK drops a metric on replay only; in CI one `processing` that its run recorded
 * once was counted twice, with no failed or timed-out workflow task in the run's history (the path is not known).
 * An insert happens once, and an activity retried after its commit inserts nothing and counts nothing. Made with
 * the Temporal runtime's meter (worker.ts), on the worker's one endpoint, with the labels the workflow-side metrics
 * had: `namespace`, `taskQueue`, `workflowType` of the run that wrote the row. Names follow seed 002's
 * "Monitoring and Alerting" (counters get `_total`: worker.ts sets `countersTotalSuffix`).
 */
import { Context } from '@temporalio/activity';
import type { MetricMeter, MetricTags } from '@temporalio/common';
import { DECLINE_CODES } from '../shared/declines';
import type { DisputeStatus } from '../shared/dispute-status';
import type { PaymentStatus } from '../shared/payment-status';
import type { AnswerFacts, AttemptFacts } from '../shared/payment-types';

/**
 * A payment row that was inserted, with what its metrics read: its metadata states amount, currency, attempt (and a
 * refund's `refundId` and `refundAmount`); the facts beside it are sent for the metrics only.
 */
export interface WrittenRow {
  status: PaymentStatus;
  metadata: Record<string, unknown>;
  answer?: AnswerFacts;
  attempts?: readonly AttemptFacts[];
  /** The row keeps the run's status and names no refund made (refused, unknown): no transition is counted. */
  restated?: boolean;
}

export interface StatusMetrics {
  paymentRows(rows: readonly WrittenRow[]): void;
  disputeRow(status: DisputeStatus): void;
}

/** Counts nothing: for activities composed without a meter (unit tests). */
export const NO_STATUS_METRICS: StatusMetrics = { paymentRows: () => undefined, disputeRow: () => undefined };

export function statusMetrics(meter: MetricMeter): StatusMetrics {
  const c = (name: string, unit: string, help: string) => meter.createCounter(name, unit, help);
  const transitions = c('payment_status_transitions', 'transitions', 'Payment status changes, by the status entered');
  const success = c('payment_success', 'payments', 'Payments that succeeded');
  const volume = c('payment_volume_minor_units', 'minor units', 'Amount captured, in minor units of the currency');
  const afterRetry = c(
    'payment_success_after_retry',
    'payments',
    'Payments that succeeded after more than one attempt',
  );
  const processing = meter.createHistogram(
    'payment_processing_seconds',
    'float',
    's',
    'Time from a payment starting to its answer',
  );
  const charges = c('payment_charge_attempts', 'attempts', 'Charge attempts at the gateway, by outcome');
  const sent = c('payment_attempts', 'attempts', 'Charge attempts sent to the gateway');
  const failures = c('payment_failures', 'attempts', 'Charge attempts that failed, by decline code');
  const refunds = c('payment_refunds', 'refunds', 'Refunds made at the gateway');
  const refunded = c('payment_refunded_minor_units', 'minor units', 'Amount refunded, in minor units of the currency');
  const disputes = c('dispute_status_transitions', 'transitions', 'Dispute status changes, by the status entered');
  const opened = c('payment_disputes_opened', 'disputes', 'Chargebacks (disputes) opened');

  function countAttempt(a: AttemptFacts, currency: string, run: MetricTags): void {
    const { outcome, declineClass, gateway } = a;
    charges.add(1, { ...run, outcome, decline_class: declineClass ?? 'none', gateway });
    sent.add(1, { ...run, gateway, currency });
    if (outcome === 'succeeded' || outcome === 'requires_action') return;
    failures.add(1, { ...run, gateway, currency, decline_code: failureCode(a) });
  }

  /** The answer's time, and for a success what it captured and whether it took more than one attempt. */
  function countAnswer(row: WrittenRow, answer: AnswerFacts, currency: string, run: MetricTags): void {
    // The run's start is the server's clock, now this worker's: a skew must not make a sample negative.
    const seconds = Math.max(0, Date.now() - answer.startedAtMs) / 1000;
    processing.record(seconds, { ...run, status: row.status, gateway: answer.gateway });
    const { amount, attempt } = row.metadata;
    if (row.status !== 'succeeded' || typeof amount !== 'number') return;
    success.add(1, { ...run, gateway: answer.gateway, currency });
    volume.add(amount, { ...run, currency });
    if (typeof attempt === 'number' && attempt > 1) afterRetry.add(1, { ...run, currency });
  }

  function paymentRow(row: WrittenRow, run: MetricTags): void {
    const { currency: stated, refundId, refundAmount } = row.metadata;
    const currency = typeof stated === 'string' ? stated : 'unknown';
    for (const a of row.attempts ?? []) countAttempt(a, currency, run);
    if (!row.restated) transitions.add(1, { ...run, status: row.status });
    if (row.answer) countAnswer(row, row.answer, currency, run);
    // A refund made: its row names the gateway's refund (refused or unknown ones name none: no money moved).
    if (typeof refundId === 'string' && typeof refundAmount === 'number') {
      refunds.add(1, { ...run, currency });
      refunded.add(refundAmount, { ...run, currency });
    }
  }

  return {
    paymentRows(rows) {
      const run = runTags();
      for (const row of rows) paymentRow(row, run);
    },
    disputeRow(status) {
      const run = runTags();
      disputes.add(1, { ...run, status });
      // A dispute enters needs_response once, when it opens: its row is written once.
      if (status === 'needs_response') opened.add(1, run);
    },
  };
}

/** A decline code from our table, or what kind of failure it was: never free text from the gateway. */
function failureCode({ outcome, errorCode }: AttemptFacts): string {
  if (outcome === 'unknown') return 'unknown_outcome';
  if (!errorCode) return outcome === 'error' ? 'gateway_error' : 'other';
  return DECLINE_CODES.includes(errorCode) ? errorCode : 'other';
}

/** The labels of the run whose activity wrote the row, as the SDK gave workflow-side metrics. */
function runTags(): MetricTags {
  const { namespace, taskQueue, workflowType } = Context.current().info;
  // Our audit activities are always scheduled by a workflow; a standalone one would have no type.
  return { namespace, taskQueue, workflowType: workflowType ?? 'none' };
}
