/**
 * Signed webhooks in Stripe's scheme: header `Gateway-Signature: t=<unix s>,v1=<hex HMAC-SHA256("<t>.<body>")>`.
 * Delivery is best effort and off the request path: a slow or dead receiver never delays an API answer.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { request } from 'undici';
import type { WebhookEvent } from './types';

export const SIGNATURE_HEADER = 'Gateway-Signature';

export interface WebhookConfig {
  url: string;
  secret: string;
}

/** The `Gateway-Signature` header value for `body` sent at `timestamp` (unix seconds). */
export function signPayload(secret: string, body: string, timestamp: number): string {
  return `t=${timestamp},v1=${hmacHex(secret, `${timestamp}.${body}`)}`;
}

/**
 * Checks a `Gateway-Signature` header against the raw body. Rejects timestamps further than `toleranceSeconds`
 * from `nowSeconds`, so a captured webhook cannot be replayed later.
 */
export function verifySignature(
  secret: string,
  body: string,
  header: string,
  options: { toleranceSeconds?: number; nowSeconds?: number } = {},
): boolean {
  const parts = new Map(header.split(',').map((part) => part.split('=', 2) as [string, string | undefined]));
  const timestamp = Number(parts.get('t'));
  const signature = parts.get('v1');
  if (!Number.isInteger(timestamp) || !signature) return false;
  const now = options.nowSeconds ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - timestamp) > (options.toleranceSeconds ?? 300)) return false;
  const expected = Buffer.from(hmacHex(secret, `${timestamp}.${body}`), 'utf8');
  const given = Buffer.from(signature, 'utf8');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function hmacHex(secret: string, text: string): string {
  return createHmac('sha256', secret).update(text).digest('hex');
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
