/**
 * Business metrics from workflow code, exported on the worker's Prometheus endpoint (WORKER_METRICS_PORT) next to
 * the SDK's own. The SDK drops them while a workflow replays, so each event is counted once, when it happens.
 * The SDK adds `namespace`, `taskQueue` and `workflowType` labels, and `_total` to counters (worker.ts sets
 * `countersTotalSuffix`). Names follow seed 002's "Monitoring and Alerting"; labels are bounded: currencies are ISO
 * codes the API accepts, decline codes come from our table only (anything else is `other`).
 */
import { metricMeter, workflowInfo } from '@temporalio/workflow';
import { DECLINE_CODES } from '../shared/declines';
import type { DisputeStatus } from '../shared/dispute-status';
import type { PaymentStatus } from '../shared/payment-status';
import type { AttemptRecord } from '../shared/payment-types';

/** What a payment's counters are labelled and measured with. */
export interface PaymentFacts {
  currency: string;
  amount: number;
  attempts: readonly unknown[];
  /** The gateway charged or being tried; absent for runs that do not know it (before input version 5). */
  gateway?: string;
}

/**
 * The `gateway` label: a configured gateway's name (bounded: GATEWAYS has at most 8), or `default` for a run that
 * does not know which one the worker's default was (started before input version 5, or naming no gateway).
 */
export function gatewayLabel(gateway: string | undefined): string {
  return gateway ?? 'default';
}

/** The statuses that give a waiting caller its answer for the first time (refunds come after `succeeded`). */
const ANSWERS: readonly PaymentStatus[] = ['succeeded', 'failed', 'cancelled'];

/** Every status a payment enters; alert on a rising `dead_lettered` or `unknown` rate. */
export function countPaymentStatus(status: PaymentStatus, payment: PaymentFacts): void {
  metricMeter
    .createCounter('payment_status_transitions', 'transitions', 'Payment status changes, by the status entered')
    .add(1, { status });
  const gateway = gatewayLabel(payment.gateway);
  if (ANSWERS.includes(status)) observeProcessingTime(status, gateway);
  if (status !== 'succeeded') return;
  const { currency, amount, attempts } = payment;
  metricMeter.createCounter('payment_success', 'payments', 'Payments that succeeded').add(1, { gateway, currency });
  metricMeter
    .createCounter('payment_volume_minor_units', 'minor units', 'Amount captured, in minor units of the currency')
    .add(amount, { currency });
  if (attempts.length > 1) {
    metricMeter
      .createCounter('payment_success_after_retry', 'payments', 'Payments that succeeded after more than one attempt')
      .add(1, { currency });
  }
}

/** Start to answer, in seconds of workflow time (the seed's buckets are set in worker.ts). */
function observeProcessingTime(status: PaymentStatus, gateway: string): void {
  const seconds = (Date.now() - workflowInfo().startTime.getTime()) / 1000;
  metricMeter
    .createHistogram('payment_processing_seconds', 'float', 's', 'Time from a payment starting to its answer')
    .record(seconds, { status, gateway });
}

/** Every charge attempt's outcome: all sent, those that failed by decline code, and the decline class. */
export function countChargeAttempt(
  attempt: Pick<AttemptRecord, 'outcome' | 'errorCode' | 'declineClass'>,
  currency: string,
  gatewayName?: string,
): void {
  const { outcome, declineClass } = attempt;
  const gateway = gatewayLabel(gatewayName);
  metricMeter
    .createCounter('payment_charge_attempts', 'attempts', 'Charge attempts at the gateway, by outcome')
    .add(1, { outcome, decline_class: declineClass ?? 'none', gateway });
  metricMeter
    .createCounter('payment_attempts', 'attempts', 'Charge attempts sent to the gateway')
    .add(1, { gateway, currency });
  if (outcome === 'succeeded' || outcome === 'requires_action') return;
  metricMeter
    .createCounter('payment_failures', 'attempts', 'Charge attempts that failed, by decline code')
    .add(1, { gateway, currency, decline_code: failureCode(attempt) });
}

/** A decline code from our table, or what kind of failure it was: never free text from the gateway. */
function failureCode({ outcome, errorCode }: Pick<AttemptRecord, 'outcome' | 'errorCode'>): string {
  if (outcome === 'unknown') return 'unknown_outcome';
  if (!errorCode) return outcome === 'error' ? 'gateway_error' : 'other';
  return DECLINE_CODES.includes(errorCode) ? errorCode : 'other';
}

/** A refund the gateway made (once, when it is known to be made; refused or unknown ones are not money moved). */
export function countRefund(currency: string, amount: number): void {
  metricMeter.createCounter('payment_refunds', 'refunds', 'Refunds made at the gateway').add(1, { currency });
  metricMeter
    .createCounter('payment_refunded_minor_units', 'minor units', 'Amount refunded, in minor units of the currency')
    .add(amount, { currency });
}

/** Every status a dispute enters: `needs_response` is the operators' alert (evidence is due by a deadline). */
export function countDisputeStatus(status: DisputeStatus): void {
  metricMeter
    .createCounter('dispute_status_transitions', 'transitions', 'Dispute status changes, by the status entered')
    .add(1, { status });
  // A dispute enters needs_response once, when it opens (a run resuming after a terminate does not enter it again).
  if (status === 'needs_response') {
    metricMeter.createCounter('payment_disputes_opened', 'disputes', 'Chargebacks (disputes) opened').add(1);
  }
}
