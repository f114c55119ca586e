/**
 * The baseline: seed 000's naive retry loop, translated from its Python, calling the sandbox gateway
 * straight from this one process with the same idempotency key on every attempt of a payment.
 *   - up to 3 attempts; 200 → done;
 *   - 429/500/502/503/504 → sleep 2^attempt s (1, 2, 4; also after the last attempt, as the seed does) and retry;
 *   - a timeout → sleep and retry unless it was the last attempt, then raise;
 *   - any other status → raise (no retry); any other exception (e.g. a connection reset) → raise (no retry);
 *   - after the loop → "Max retries exceeded".
 * One deviation, in the baseline's favour: a keep-alive connection pool (the seed's `requests.post` opens a
 * connection per call) with a 15 s read timeout (the seed sets none), the same pool our worker's client uses.
 */
import { Agent, errors, request } from 'undici';
import type { TaskOutcome } from './loops';

const RETRYABLE = new Set([429, 500, 502, 503, 504]);
const MAX_RETRIES = 3;

export interface NaiveChargeInput {
  idempotencyKey: string;
  amount: number;
  currency: string;
  cardNumber: string;
  metadata: Record<string, string>;
}

export class NaiveGatewayCaller {
  private readonly agent = new Agent({ keepAliveTimeout: 10_000, connect: { timeout: 2_000 } });

  constructor(
    private readonly baseUrl: string,
    private readonly apiKey = 'sk_test_sandbox',
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
  ) {}

  async charge(input: NaiveChargeInput): Promise<TaskOutcome> {
    const body = JSON.stringify({
      amount: input.amount,
      currency: input.currency,
      payment_method: { type: 'card', number: input.cardNumber },
      metadata: input.metadata,
    });
    for (let attempt = 0; attempt < MAX_RETRIES; attempt++) {
      try {
        const res = await request(`${this.baseUrl}/v1/charges`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${this.apiKey}`,
            'content-type': 'application/json',
            'idempotency-key': input.idempotencyKey,
          },
          body,
          dispatcher: this.agent,
          headersTimeout: 15_000,
          bodyTimeout: 15_000,
        });
        await res.body.text();
        if (res.statusCode === 200) return { ok: true, label: 'succeeded' };
        if (RETRYABLE.has(res.statusCode)) {
          await this.sleep(1000 * 2 ** attempt);
          continue;
        }
        return { ok: false, label: `http_${res.statusCode}` };
      } catch (err) {
        const timeout = err instanceof errors.HeadersTimeoutError || err instanceof errors.BodyTimeoutError;
        if (timeout && attempt < MAX_RETRIES - 1) {
          await this.sleep(1000 * 2 ** attempt);
          continue;
        }
        // The seed lets everything but a timeout propagate: the caller gets an exception, not an answer.
        return { ok: false, label: timeout ? 'timeout' : `exception_${(err as Error).name}` };
      }
    }
    return { ok: false, label: 'max_retries_exceeded' };
  }

  close(): Promise<void> {
    return this.agent.close();
  }
}
