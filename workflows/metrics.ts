/**
 * Business metrics from workflow code, exported on the worker's Prometheus endpoint (WORKER_METRICS_PORT) next to
 * the SDK's own. The SDK drops them while a workflow replays, so each change is counted once, when it happens.
 * The SDK adds `namespace`, `taskQueue` and `workflowType` labels; counters keep their names (no `_total`).
 */
import { metricMeter } from '@temporalio/workflow';
import type { DisputeStatus } from '../shared/dispute-status';
import type { PaymentStatus } from '../shared/payment-status';
import type { AttemptRecord } from '../shared/payment-types';

/** Every status a payment enters; alert on a rising `dead_lettered` or `unknown` rate. */
export function countPaymentStatus(status: PaymentStatus): void {
  metricMeter
    .createCounter('payment_status_transitions', 'transitions', 'Payment status changes, by the status entered')
    .add(1, { status });
}

/** Every charge attempt's outcome and, for declines, its class (soft / hard / fraud / authentication). */
export function countChargeAttempt(outcome: AttemptRecord['outcome'], declineClass?: string): void {
  metricMeter
    .createCounter('payment_charge_attempts', 'attempts', 'Charge attempts at the gateway, by outcome')
    .add(1, { outcome, decline_class: declineClass ?? 'none' });
}

/** Every status a dispute enters: `needs_response` is the operators' alert (evidence is due by a deadline). */
export function countDisputeStatus(status: DisputeStatus): void {
  metricMeter
    .createCounter('dispute_status_transitions', 'transitions', 'Dispute status changes, by the status entered')
    .add(1, { status });
}
