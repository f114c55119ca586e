/**
 * The payment harness (real dev server, worker, sandbox gateway) plus the HTTP API in process on a loopback
 * port picked first, so the gateway's signed webhooks reach the API's receiver. Requests go over real HTTP.
 */
import type { FastifyInstance } from 'fastify';
import { WorkflowNotFoundError } from '@temporalio/client';
import { createApiServer, type ApiServerOptions } from '../../api/server';
import { paymentIdFromKey } from '../../client/payment-id';
import { createLogger } from '../../logging/logger';
import { freePort } from '../../scripts/lib/free-port';
import { paymentWorkflowId } from '../../shared/ids';
import { signPayload, SIGNATURE_HEADER } from '../../webhooks/signature';
import { DisputesClient } from '../../client/disputes-client';
import {
  startPaymentHarness,
  type ClientExtras,
  type HarnessOptions,
  type PaymentHarness,
} from '../support/payment-harness';

export const API_KEY = 'test_api_key_0123456789';
export const WEBHOOK_SECRET = 'test_webhook_secret_0123456789';
export const VISA = '4242424242424242';
export const THREE_DS = '4000000000003220';
export const EXPIRED = '4000000000000069';
export const INSUFFICIENT_FUNDS = '4000000000009995';

export interface ApiHarness {
  h: PaymentHarness;
  disputes: DisputesClient;
  app: FastifyInstance;
  url: string;
  call(method: string, path: string, init?: CallInit): Promise<Answer>;
  /** POST /payments with a JSON body and the given Idempotency-Key. */
  pay(key: string, body: Record<string, unknown>, query?: string): Promise<Answer>;
  /** POST /webhooks/gateway with a body signed by `secret` at `timestamp` (unix seconds). */
  webhook(event: unknown, opts?: { secret?: string; timestamp?: number; signature?: string | null }): Promise<Answer>;
  /** true when a payment workflow exists for this idempotency key. */
  workflowExists(idempotencyKey: string): Promise<boolean>;
  /** Every charge in the sandbox ledger (all payments). */
  ledgerSize(): Promise<number>;
  teardown(): Promise<void>;
}

export interface CallInit {
  body?: unknown;
  /** Sent as is (no JSON encoding) when a string. */
  rawBody?: string;
  headers?: Record<string, string>;
  /** API key; null sends no Authorization header. */
  key?: string | null;
}

export interface Answer {
  status: number;
  headers: Headers;
  text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
  ms: number;
}

export const payment = (number = VISA, amount = 1999) => ({
  amount,
  currency: 'USD',
  paymentMethod: { type: 'card', number },
});

/**
 * `port`: listen there (a port the caller picked first, e.g. to tell a Temporal UI where the codec is);
 * `harness`: options of the payment harness underneath (the webhook is always this API's); `client`: the API's
 * payments client made with these extras instead of the harness's own (e.g. a short key-claim wait).
 */
export async function startApiHarness(
  options: Partial<ApiServerOptions> = {},
  listen: { port?: number; harness?: Omit<HarnessOptions, 'gatewayWebhook'>; client?: ClientExtras } = {},
): Promise<ApiHarness> {
  const port = listen.port ?? (await freePort());
  const webhookUrl = `http://127.0.0.1:${port}/webhooks/gateway`;
  const h = await startPaymentHarness({
    ...listen.harness,
    gatewayWebhook: { url: webhookUrl, secret: WEBHOOK_SECRET },
  });
  // Disputes due within 1 s of their deadline submit on their own; tests that want an operator pick a later one.
  const disputes = new DisputesClient(h.env.client, { taskQueue: h.taskQueue, policy: { submitMarginMs: 1_000 } });
  const app = createApiServer({
    payments: listen.client ? h.clientWith({}, listen.client) : h.client,
    disputes,
    temporal: h.env.client,
    logger: createLogger({ level: 'silent', name: 'api-test' }),
    apiKeys: ['second_key_for_rotation_0000', API_KEY],
    webhookSecret: WEBHOOK_SECRET,
    webhookToleranceSeconds: 300,
    maxWaitMs: 10_000,
    ...options,
  });
  await app.listen({ port, host: '127.0.0.1' });
  const url = `http://127.0.0.1:${port}`;

  const call = async (method: string, path: string, init: CallInit = {}): Promise<Answer> => {
    const headers: Record<string, string> = { ...init.headers };
    const key = init.key === undefined ? API_KEY : init.key;
    if (key !== null) headers.authorization = `Bearer ${key}`;
    let body: string | undefined = init.rawBody;
    if (init.body !== undefined) {
      body = JSON.stringify(init.body);
      headers['content-type'] ??= 'application/json';
    }
    const started = Date.now();
    const res = await fetch(`${url}${path}`, { method, headers, body });
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    return { status: res.status, headers: res.headers, text, body: parsed, ms: Date.now() - started };
  };

  return {
    disputes,
    h,
    app,
    url,
    call,
    pay: (key, body, query = '') => call('POST', `/payments${query}`, { body, headers: { 'idempotency-key': key } }),
    webhook: (event, opts = {}) => {
      const raw = typeof event === 'string' ? event : JSON.stringify(event);
      const timestamp = opts.timestamp ?? Math.floor(Date.now() / 1000);
      const signature =
        opts.signature === undefined ? signPayload(opts.secret ?? WEBHOOK_SECRET, raw, timestamp) : opts.signature;
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (signature !== null) headers[SIGNATURE_HEADER] = signature;
      return call('POST', '/webhooks/gateway', { rawBody: raw, headers, key: null });
    },
    workflowExists: async (idempotencyKey) => {
      const id = paymentWorkflowId(paymentIdFromKey(idempotencyKey));
      try {
        await h.env.client.workflow.getHandle(id).describe();
        return true;
      } catch (err) {
        if (err instanceof WorkflowNotFoundError) return false;
        throw err;
      }
    },
    ledgerSize: async () => {
      const res = await fetch(`${h.gateway.url}/_sandbox/ledger`);
      return ((await res.json()) as { charges: unknown[] }).charges.length;
    },
    teardown: async () => {
      await app.close();
      await h.teardown();
    },
  };
}

/** The error shape every failure has; returns the error for further checks. */
export function expectApiError(answer: Answer, status: number, code: string): { type: string; message: string } {
  expect({ status: answer.status, code: answer.body?.error?.code }).toEqual({ status, code });
  expect(answer.body.error).toEqual({ type: expect.any(String), code, message: expect.any(String) });
  expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
  // Every 503 says when to retry (api/errors.ts: its code's retryAfterS).
  if (status === 503) expect(answer.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);
  return answer.body.error;
}

/** Listens on a free loopback port (fastify's inject() pulls in an ESM-only module jest cannot load). */
export async function listenOnLoopback(app: FastifyInstance): Promise<string> {
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as { port: number };
  return `http://127.0.0.1:${port}`;
}
