/**
 * What both peers' processes do for one payment, outside their SDKs: the charge at the sandbox gateway (POST
 * /v1/charges with the payment's gateway key, card 4242…) and the audit rows, appended through the project's own
 * audit store (audit/) to PostgreSQL: the same append-only payment_status table, migrations and triggers as ours.
 * Each peer wraps these calls in its own durable steps.
 */
import pino from 'pino';
import { Agent, request } from 'undici';
import { z } from 'zod';
import { openAuditStore } from '../../audit/open';
import type { AuditStore } from '../../audit/types';
import type { PaymentStatus } from '../../shared/payment-status';

/** The Restate workflow's name: its ingress path is /PeerPayment/<paymentId>/run. */
export const RESTATE_WORKFLOW = 'PeerPayment';

export interface PeerPaymentInput {
  paymentId: string;
  /** The gateway's idempotency key, `<paymentId>:v1` as ours (shared/idempotency.ts). */
  gatewayKey: string;
  amount: number;
  currency: string;
  card: string;
}

export interface PeerPaymentResult {
  paymentId: string;
  status: 'succeeded' | 'failed';
  chargeId?: string;
  declineCode?: string;
}

/** Each peer process's environment, set by its driver (bench/peers/restate.ts, dbos.ts). */
export const peerEnvSchema = z.object({
  PEER_PORT: z.coerce.number().int().min(1).max(65535),
  GATEWAY_URL: z.url(),
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('warn'),
});
export type PeerEnv = z.infer<typeof peerEnvSchema>;

export function peerEnv(env: NodeJS.ProcessEnv): PeerEnv {
  const parsed = peerEnvSchema.safeParse(env);
  if (!parsed.success) {
    throw new Error(
      `peer process environment: ${parsed.error.issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
    );
  }
  return parsed.data;
}

export interface PeerPaymentSteps {
  audit(paymentId: string, seq: number, status: PaymentStatus): Promise<void>;
  charge(input: PeerPaymentInput): Promise<PeerPaymentResult>;
  close(): Promise<void>;
}

export async function openPeerPaymentSteps(env: PeerEnv, logger: pino.Logger): Promise<PeerPaymentSteps> {
  const store: AuditStore = await openAuditStore({ databaseUrl: env.DATABASE_URL, logger });
  const agent = new Agent({ connections: 64, keepAliveTimeout: 10_000 });
  return {
    async audit(paymentId, seq, status) {
      // A retried step writes the same (payment, event key): the store's unique key makes it a no-op.
      await store.append({ paymentId, eventKey: `peer:${seq}:${status}`, status });
    },
    async charge(input) {
      const res = await request(`${env.GATEWAY_URL}/v1/charges`, {
        method: 'POST',
        headers: {
          authorization: 'Bearer sk_test_sandbox',
          'content-type': 'application/json',
          'idempotency-key': input.gatewayKey,
        },
        body: JSON.stringify({
          amount: input.amount,
          currency: input.currency.toLowerCase(),
          payment_method: { type: 'card', number: input.card },
          metadata: { payment_id: input.paymentId },
        }),
        dispatcher: agent,
        headersTimeout: 15_000,
        bodyTimeout: 15_000,
      });
      const body = (await res.body.json()) as { id?: string; status?: string; error?: { code?: string } };
      if (res.statusCode === 200 && body.status === 'succeeded') {
        return { paymentId: input.paymentId, status: 'succeeded', chargeId: body.id };
      }
      // 402 is a decline: an answer, not a failure to retry. Anything else throws, and the peer's step retries it.
      if (res.statusCode === 402) {
        return { paymentId: input.paymentId, status: 'failed', declineCode: body.error?.code ?? 'declined' };
      }
      throw new Error(`gateway answered ${res.statusCode} for ${input.gatewayKey}`);
    },
    async close() {
      await agent.close();
      await store.close();
    },
  };
}

export function peerLogger(name: string, level: string): pino.Logger {
  return pino({ name, level });
}
