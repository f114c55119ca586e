/**
 * Signed webhooks in Stripe's scheme: header `Gateway-Signature: t=<unix s>,v1=<hex HMAC-SHA256("<t>.<body>")>`.
 * Delivery is best effort and off the request path: a slow or dead receiver never delays an API answer.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { request } from 'undici';
import { SIGNATURE_HEADER, signPayload } from '../webhooks/signature';
import type { WebhookEvent } from './types';

export { SIGNATURE_HEADER, signPayload, verifySignature } from '../webhooks/signature';

export interface WebhookConfig {
  url: string;
  secret: string;
}

/** Waits before each attempt; Stripe retries for days, a test run needs seconds. */
const RETRY_DELAYS_MS = [0, 200, 1000, 3000];
const ATTEMPT_TIMEOUT_MS = 5000;

export class WebhookSender {
  private readonly closing = new AbortController();

  constructor(
    private readonly config: WebhookConfig,
    private readonly logger: Logger,
  ) {}

  /** Fire and forget: failures are logged, never thrown. */
  send(event: WebhookEvent): void {
    this.deliver(event).catch((error: unknown) => {
      if (!this.closing.signal.aborted) this.logger.warn({ err: error, eventId: event.id }, 'webhook delivery crashed');
    });
  }

  /** Stops pending retries, so a closed sandbox leaves no timers behind. */
  close(): void {
    this.closing.abort();
  }

  private async deliver(event: WebhookEvent): Promise<void> {
    const body = JSON.stringify(event);
    for (const [attempt, delayMs] of RETRY_DELAYS_MS.entries()) {
      if (delayMs > 0) await sleep(delayMs, undefined, { signal: this.closing.signal });
      const status = await this.attempt(body);
      if (status !== undefined && status >= 200 && status < 300) {
        this.logger.debug({ eventId: event.id, attempt }, 'webhook delivered');
        return;
      }
      this.logger.debug({ eventId: event.id, attempt, status }, 'webhook attempt failed');
    }
    this.logger.warn({ eventId: event.id, type: event.type }, 'webhook delivery gave up');
  }

  /** One POST; the HTTP status, or undefined on a network error or timeout. Re-signs so `t` stays fresh. */
  private async attempt(body: string): Promise<number | undefined> {
    const signature = signPayload(this.config.secret, body, Math.floor(Date.now() / 1000));
    try {
      const response = await request(this.config.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: signature },
        body,
        signal: AbortSignal.any([this.closing.signal, AbortSignal.timeout(ATTEMPT_TIMEOUT_MS)]),
      });
      await response.body.dump();
      return response.statusCode;
    } catch (error) {
      if (this.closing.signal.aborted) throw error;
      this.logger.debug({ err: error }, 'webhook attempt errored');
      return undefined;
    }
  }
}
