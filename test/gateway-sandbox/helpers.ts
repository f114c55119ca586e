/** Shared helpers for the sandbox gateway suites: a tiny fetch-based client, request builders, a webhook receiver. */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { createGatewaySandbox, type GatewaySandbox, type GatewaySandboxOptions } from '../../gateway-sandbox/server';
import type {
  Charge,
  ChargeList,
  CreateChargeInput,
  Fault,
  FaultSpec,
  LedgerEntry,
  LedgerResponse,
  RefundList,
  WebhookEvent,
} from '../../gateway-sandbox/types';

export const API_KEY = 'sk_test_sandbox';

export interface HttpResult<T> {
  status: number;
  headers: Headers;
  body: T;
}

export function startSandbox(options: GatewaySandboxOptions = {}): Promise<GatewaySandbox> {
  return createGatewaySandbox({ port: 0, logger: pino({ level: 'silent' }), ...options });
}

/** A fresh idempotency key per request, so suites never depend on each other's keys. */
export function newKey(prefix = 'test'): string {
  return `${prefix}-${randomUUID()}`;
}

export function cardCharge(number: string, overrides: Partial<CreateChargeInput> = {}): CreateChargeInput {
  return { amount: 1999, currency: 'usd', payment_method: { type: 'card', number }, ...overrides };
}

export class SandboxClient {
  constructor(
    readonly baseUrl: string,
    /** null sends no Authorization header at all. */
    private readonly apiKey: string | null = API_KEY,
  ) {}

  /** `POST /v1/charges` with the given key; `body` is sent as-is, so tests can send invalid shapes. */
  createCharge<T = unknown>(body: unknown, idempotencyKey: string | undefined): Promise<HttpResult<T>> {
    const headers: Record<string, string> = idempotencyKey === undefined ? {} : { 'Idempotency-Key': idempotencyKey };
    return this.request<T>('POST', '/v1/charges', body, headers);
  }

  async request<T = unknown>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<HttpResult<T>> {
    const allHeaders: Record<string, string> = { ...headers };
    if (this.apiKey !== null) allHeaders.Authorization = `Bearer ${this.apiKey}`;
    if (body !== undefined) allHeaders['Content-Type'] = 'application/json';
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: allHeaders,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return {
      status: response.status,
      headers: response.headers,
      body: (text === '' ? undefined : JSON.parse(text)) as T,
    };
  }

  /** `POST /v1/refunds` with the given key; `body` is sent as-is, so tests can send invalid shapes. */
  createRefund<T = unknown>(body: unknown, idempotencyKey: string | undefined): Promise<HttpResult<T>> {
    const headers: Record<string, string> = idempotencyKey === undefined ? {} : { 'Idempotency-Key': idempotencyKey };
    return this.request<T>('POST', '/v1/refunds', body, headers);
  }

  /** `GET /v1/refunds?idempotency_key=`: the status check after a refund request timed out. */
  async refundsUnder(idempotencyKey: string): Promise<RefundList['data']> {
    const path = `/v1/refunds?idempotency_key=${encodeURIComponent(idempotencyKey)}`;
    return (await this.request<RefundList>('GET', path)).body.data;
  }

  /** `GET /v1/charges?idempotency_key=`: the status check a client makes after a timeout. */
  async chargesUnder(idempotencyKey: string): Promise<Charge[]> {
    const path = `/v1/charges?idempotency_key=${encodeURIComponent(idempotencyKey)}`;
    return (await this.request<ChargeList>('GET', path)).body.data;
  }

  /** `GET /_sandbox/ledger` with an optional query string such as `?status=failed`. */
  async ledger(query = ''): Promise<LedgerEntry[]> {
    return (await this.request<LedgerResponse>('GET', `/_sandbox/ledger${query}`)).body.charges;
  }

  async listFaults(): Promise<Fault[]> {
    return (await this.request<{ faults: Fault[] }>('GET', '/_sandbox/faults')).body.faults;
  }

  async addFault(spec: FaultSpec): Promise<string> {
    const response = await this.request<{ id: string }>('POST', '/_sandbox/faults', spec);
    if (response.status !== 201)
      throw new Error(`addFault failed: ${response.status} ${JSON.stringify(response.body)}`);
    return response.body.id;
  }
}

export async function waitFor(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export interface ReceivedWebhook {
  headers: IncomingHttpHeaders;
  /** The raw body, exactly as signed. */
  body: string;
  event: WebhookEvent;
}

export interface WebhookReceiver {
  url: string;
  received: ReceivedWebhook[];
  close(): Promise<void>;
}

/** A webhook endpoint on loopback that accepts every delivery with a 200 and records it. */
export function startWebhookReceiver(): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      received.push({ headers: request.headers, body, event: JSON.parse(body) as WebhookEvent });
      response.writeHead(200).end();
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}/webhooks`,
        received,
        close: () => new Promise((done) => server.close(() => done())),
      });
    });
  });
}

/** Reads until `done` holds for the result and returns it; throws after the timeout. For state behind HTTP. */
export async function pollUntil<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
