/**
 * What workflow code gives the business metrics: their labels and the facts a row carries to them. The metrics
 * themselves are counted where the row is inserted (activities/status-metrics.ts), not here: the SDK drops a
 * metric emitted from workflow code on replay only, and workflow code can run live twice for one event.
 * Labels are bounded: gateways are configured names, currencies ISO codes the API accepts.
 */
import { workflowInfo } from '@temporalio/workflow';
import type { PaymentStatus } from '../shared/payment-status';
import type { AnswerFacts } from '../shared/payment-types';

/**
 * The `gateway` label: a configured gateway's name (bounded: GATEWAYS has at most 8), or `default` for a run that
 * does not know which one the worker's default was (started before input version 5, or naming no gateway).
 */
export function gatewayLabel(gateway: string | undefined): string {
  return gateway ?? 'default';
}

/** The statuses that give a waiting caller its answer for the first time (refunds come after `succeeded`). */
const ANSWERS: readonly PaymentStatus[] = ['succeeded', 'failed', 'cancelled'];

/**
 * What an answer's row carries for the metrics the audit activity counts once it is inserted (processing time,
 * success by gateway): nothing for other statuses.
 */
export function answerFacts(status: PaymentStatus, gateway: string | undefined): { answer?: AnswerFacts } {
  if (!ANSWERS.includes(status)) return {};
  return { answer: { gateway: gatewayLabel(gateway), startedAtMs: workflowInfo().startTime.getTime() } };
}
