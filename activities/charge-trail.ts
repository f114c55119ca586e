/**
 * The first charge of a run that answers its caller in one call (PaymentsClient.pay), with the audit rows around
 * it, in one activity: the key claim with `initiated` and `processing` (one transaction), the charge, then the
 * `succeeded` row. One activity task and one workflow task instead of three of each (issue 19). Each attempt
 * claims and writes first: both are idempotent for the same run, and nothing is sent before they are committed.
 */
import type { Logger } from '../logging/logger';
import type { AnswerFacts, AttemptFacts, EarlierClaim } from '../shared/payment-types';
import type { RecordStatusInput, RecordStatusesInput, RecordStatusResult } from './audit';
import type { ChargeCardInput, ChargeOutcome } from './charges';

/** The `succeeded` row the workflow numbered in advance; the activity adds what only the charge tells. */
export interface SucceededRowTemplate {
  eventKey: string;
  metadata: Record<string, unknown>;
  /** Version 4: the row states the refund window, from the capture's time (the refunds workflow reads it). */
  refundWindowMs?: number;
  /** For the answer's metrics, counted when the row is inserted (activities/status-metrics.ts). */
  answer?: AnswerFacts;
  /** The answer's `gateway` label is the gateway that captured (`outcome.gateway`), as the run's own row says. */
  answerGatewayFromCharge?: boolean;
  /** This charge's attempt as it will be if it captures: counted with the row, which is written only then. */
  attempts?: AttemptFacts[];
}

export interface ChargeWithTrailInput extends ChargeCardInput {
  trail: { first: RecordStatusesInput; succeeded: SucceededRowTemplate };
}

export type ChargeWithTrailResult =
  /** An earlier run owns the key: nothing was written and nothing was sent. */
  | { earlier: EarlierClaim }
  /**
   * The charge's answer. `succeededAt` is the capture time its `succeeded` row records; absent when the charge
   * did not capture, or when that write failed: the workflow then writes the row itself, as any run does.
   */
  | { outcome: ChargeOutcome; succeededAt?: string };

export interface ChargeTrailDeps {
  recordStatuses(input: RecordStatusesInput): Promise<RecordStatusResult>;
  recordStatus(input: RecordStatusInput): Promise<RecordStatusResult>;
  chargeCard(input: ChargeCardInput): Promise<ChargeOutcome>;
  logger: Logger;
}

export function createChargeTrailActivities(deps: ChargeTrailDeps) {
  async function chargeWithTrail(input: ChargeWithTrailInput): Promise<ChargeWithTrailResult> {
    const { trail, ...charge } = input;
    const first = await deps.recordStatuses(trail.first);
    if (first.earlier) return { earlier: first.earlier };
    const outcome = await deps.chargeCard(charge);
    if (outcome.status !== 'succeeded') return { outcome };
    return { outcome, ...(await writeSucceeded(charge.paymentId, trail.succeeded, outcome)) };
  }

  /**
   * A failed write must not fail the attempt: the charge has captured, and a retry would go through the breaker
   * and the retry budget again for a charge that needs neither. The workflow writes the row instead.
   */
  async function writeSucceeded(
    paymentId: string,
    row: SucceededRowTemplate,
    outcome: Extract<ChargeOutcome, { status: 'succeeded' }>,
  ): Promise<{ succeededAt?: string }> {
    const capturedAt = new Date();
    const window =
      row.refundWindowMs === undefined
        ? {}
        : { refundableUntil: new Date(capturedAt.getTime() + row.refundWindowMs).toISOString() };
    try {
      await deps.recordStatus({
        paymentId,
        eventKey: row.eventKey,
        status: 'succeeded',
        metadata: { ...row.metadata, chargeId: outcome.chargeId, gateway: outcome.gateway, ...window },
        ...(row.answer ? { answer: answerOf(row.answer, row.answerGatewayFromCharge, outcome.gateway) } : {}),
        ...(row.attempts ? { attempts: row.attempts } : {}),
      });
      return { succeededAt: capturedAt.toISOString() };
    } catch (err) {
      deps.logger.warn(
        { paymentId, error: String(err) },
        'succeeded row not written with the charge; the run writes it',
      );
      return {};
    }
  }

  return { chargeWithTrail };
}

function answerOf(answer: AnswerFacts, fromCharge: boolean | undefined, charged: string): AnswerFacts {
  return fromCharge ? { ...answer, gateway: charged } : answer;
}
