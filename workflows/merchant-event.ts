/**
 * Delivers one merchant event (shared/merchant-events.ts): the `deliverMerchantEvent` activity POSTs it, signed,
 * and Temporal retries it with backoff until the endpoint answers 2xx or the policy's window closes. Started by
 * the audit outbox (merchant-events/outbox.ts) once the status row it reports is written; its workflow id is the
 * event id, so an event is sent by one run however often the row's write is retried.
 */
import { ActivityFailure, ApplicationFailure, log, proxyActivities } from '@temporalio/workflow';
import type { PaymentActivities } from '../activities';
import { ErrorType } from '../shared/errors';
import type { DeliveryPolicy, MerchantEvent } from '../shared/merchant-events';

export interface MerchantEventInput {
  event: MerchantEvent;
  policy: DeliveryPolicy;
}

export interface MerchantEventResult {
  eventId: string;
  /** The endpoint's 2xx status code. */
  status: number;
}

/** One attempt's own limit; the merchant endpoint's timeout is set lower by the activity (config). */
const ATTEMPT_TIMEOUT = '60s';

export async function merchantEventWorkflow({ event, policy }: MerchantEventInput): Promise<MerchantEventResult> {
  const { deliverMerchantEvent } = proxyActivities<PaymentActivities>({
    startToCloseTimeout: ATTEMPT_TIMEOUT,
    scheduleToCloseTimeout: policy.windowMs,
    retry: {
      initialInterval: policy.initialIntervalMs,
      maximumInterval: policy.maximumIntervalMs,
      backoffCoefficient: 2,
      // Every failure is retried, a worker without an endpoint too: an operator fixes the config, the event goes.
    },
  });
  try {
    return { eventId: event.id, status: await deliverMerchantEvent(event) };
  } catch (err) {
    if (!(err instanceof ActivityFailure)) throw err;
    log.error('merchant event undelivered', { eventId: event.id, type: event.type, cause: err.cause?.message });
    throw ApplicationFailure.create({
      type: ErrorType.MerchantEventUndelivered,
      message: `event ${event.id} (${event.type}) was not accepted within the delivery window: ${err.cause?.message ?? err.message}`,
      nonRetryable: true,
    });
  }
}
