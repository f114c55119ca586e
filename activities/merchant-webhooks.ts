/**
 * The merchant's webhook endpoint: POSTs one event, signed in the same scheme as the gateway's webhooks to us
 * (`Payments-Signature: t=<unix s>,v1=<HMAC-SHA256 of "<t>.<body>">`), with its id in `Payments-Event-Id`.
 * A 2xx is delivery; anything else, or no answer in time, is a retryable failure (workflows/merchant-event.ts).
 * The endpoint and secret come from the worker's config, never from workflow input or history.
 */
import { ApplicationFailure } from '@temporalio/common';
import { request } from 'undici';
import type { Logger } from '../logging/logger';
import { ErrorType } from '../shared/errors';
import type { MerchantEvent } from '../shared/merchant-events';
import { signPayload } from '../webhooks/signature';

export const MERCHANT_SIGNATURE_HEADER = 'Payments-Signature';
export const MERCHANT_EVENT_ID_HEADER = 'Payments-Event-Id';

export interface MerchantWebhookConfig {
  url: string;
  secret: string;
  timeoutMs: number;
}

export function createMerchantWebhookActivities(deps: { merchantWebhook?: MerchantWebhookConfig; logger: Logger }) {
  return {
    /** Resolves with the endpoint's 2xx status; throws a retryable ApplicationFailure otherwise. */
    async deliverMerchantEvent(event: MerchantEvent): Promise<number> {
      const endpoint = deps.merchantWebhook;
      if (!endpoint) {
        throw ApplicationFailure.retryable(
          'no merchant webhook endpoint is configured (MERCHANT_WEBHOOK_URL)',
          ErrorType.MerchantWebhookNotConfigured,
        );
      }
      const body = JSON.stringify(event);
      const status = await post(endpoint, event.id, body);
      if (status >= 200 && status < 300) {
        deps.logger.info({ eventId: event.id, type: event.type, status }, 'merchant event delivered');
        return status;
      }
      throw ApplicationFailure.retryable(`merchant endpoint answered ${status}`, ErrorType.MerchantWebhookRejected);
    },
  };
}

async function post(endpoint: MerchantWebhookConfig, eventId: string, body: string): Promise<number> {
  try {
    const res = await request(endpoint.url, {
      method: 'POST',
      body,
      headers: {
        'content-type': 'application/json',
        [MERCHANT_SIGNATURE_HEADER]: signPayload(endpoint.secret, body, Math.floor(Date.now() / 1000)),
        [MERCHANT_EVENT_ID_HEADER]: eventId,
      },
      headersTimeout: endpoint.timeoutMs,
      bodyTimeout: endpoint.timeoutMs,
    });
    await res.body.dump();
    return res.statusCode;
  } catch (err) {
    throw ApplicationFailure.retryable(
      `merchant endpoint unreachable: ${(err as Error).message}`,
      ErrorType.MerchantWebhookUnreachable,
    );
  }
}
