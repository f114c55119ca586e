/**
 * Every bad request gets a clear 4xx in the `{ error: { type, code, message } }` shape, and starts and charges
 * nothing: no workflow exists for the key's payment id and the gateway ledger does not grow. Plus auth, the
 * OpenAPI docs, and a 500 that leaks nothing.
 */
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { createApiServer } from '../../api/server';
import type { PaymentsClient } from '../../client/payments-client';
import { createLogger } from '../../logging/logger';
import { uniqueKey } from '../support/payment-harness';
import {
  API_KEY,
  expectApiError,
  listenOnLoopback,
  payment,
  startApiHarness,
  VISA,
  type Answer,
  type ApiHarness,
} from './api-harness';

let api: ApiHarness;
let ledgerBefore: number;
beforeAll(async () => {
  api = await startApiHarness();
  ledgerBefore = await api.ledgerSize();
});
afterAll(async () => {
  await api?.teardown();
});

/** The answer is the expected 4xx, no payment exists for the key, and nothing was charged. */
async function rejected(key: string, answer: Answer, status: number, code: string): Promise<string> {
  const error = expectApiError(answer, status, code);
  expect(await api.workflowExists(key)).toBe(false);
  expect(await api.ledgerSize()).toBe(ledgerBefore);
  return error.message;
}

describe('POST /payments refuses bad input and starts nothing', () => {
  it('a missing Idempotency-Key', async () => {
    const answer = await api.call('POST', '/payments', { body: payment() });
    expect(expectApiError(answer, 400, 'validation_failed').message).toBe('Idempotency-Key header: is required');
    expect(await api.ledgerSize()).toBe(ledgerBefore);
  });

  it('an empty Idempotency-Key', async () => {
    const message = await rejected('', await api.pay('', payment()), 400, 'validation_failed');
    expect(message).toBe('Idempotency-Key header: must not be empty');
  });

  it('a 256-character Idempotency-Key (255 is the limit)', async () => {
    const key = 'k'.repeat(256);
    const message = await rejected(key, await api.pay(key, payment()), 400, 'validation_failed');
    expect(message).toMatch(/Idempotency-Key header: must be at most 255 characters/);
  });

  it.each([
    ['negative', -5, /amount must be positive/],
    ['zero', 0, /amount must be positive/],
    ['fractional', 10.5, /amount must be an integer/],
    ['over the maximum', 100_000_001, /amount must be at most 100000000/],
    ['non-numeric', '100', /amount must be a number/],
  ])('a %s amount', async (_label, amount, expected) => {
    const key = uniqueKey('bad-amount');
    const message = await rejected(key, await api.pay(key, { ...payment(), amount }), 400, 'validation_failed');
    expect(message).toMatch(expected);
    expect(message).toMatch(/^body\.amount: /);
  });

  it('an unknown currency', async () => {
    const key = uniqueKey('bad-currency');
    const message = await rejected(
      key,
      await api.pay(key, { ...payment(), currency: 'XYZ' }),
      400,
      'validation_failed',
    );
    expect(message).toBe('body.currency: currency must be an ISO 4217 code');
  });

  it.each([['4242-4242-4242-4242'], ['42424242'], ['not a card']])('a malformed card %p', async (number) => {
    const key = uniqueKey('bad-card');
    const body = { ...payment(), paymentMethod: { type: 'card', number } };
    const answer = await api.pay(key, body);
    const message = await rejected(key, answer, 400, 'validation_failed');
    expect(message).toBe('body.paymentMethod.number: card number must be 12-19 digits');
    expect(answer.text).not.toContain(number);
  });

  it('unknown fields, at the top and inside the payment method', async () => {
    const key = uniqueKey('unknown-fields');
    const body = { ...payment(), captureMethod: 'manual', paymentMethod: { type: 'card', number: VISA, cvc: '123' } };
    const message = await rejected(key, await api.pay(key, body), 400, 'validation_failed');
    expect(message).toMatch(/body: Unrecognized key: "captureMethod"/);
    expect(message).toMatch(/body\.paymentMethod: Unrecognized key: "cvc"/);
  });

  it('malformed JSON, without echoing the body back', async () => {
    const key = uniqueKey('bad-json');
    const answer = await api.call('POST', '/payments', {
      rawBody: `{"amount": 1999, "paymentMethod": {"number": "${VISA}"`,
      headers: { 'idempotency-key': key, 'content-type': 'application/json' },
    });
    expect(await rejected(key, answer, 400, 'invalid_json')).toBe('The request body is not valid JSON.');
    expect(answer.text).not.toContain(VISA);
  });

  it('a body over 1 MiB', async () => {
    const key = uniqueKey('too-big');
    const answer = await api.pay(key, { ...payment(), description: 'x'.repeat(1024 * 1024) });
    await rejected(key, answer, 413, 'body_too_large');
  });

  it('a body that is not JSON', async () => {
    const key = uniqueKey('form');
    const answer = await api.call('POST', '/payments', {
      rawBody: 'amount=1999&currency=USD',
      headers: { 'idempotency-key': key, 'content-type': 'application/x-www-form-urlencoded' },
    });
    await rejected(key, answer, 415, 'unsupported_media_type');
  });

  it('no body at all', async () => {
    const key = uniqueKey('no-body');
    const answer = await api.call('POST', '/payments', { headers: { 'idempotency-key': key } });
    await rejected(key, answer, 400, 'validation_failed');
  });
});

describe('authentication', () => {
  it('refuses a request without an API key, before reading the body', async () => {
    const key = uniqueKey('no-api-key');
    const answer = await api.call('POST', '/payments', {
      body: payment(),
      headers: { 'idempotency-key': key },
      key: null,
    });
    await rejected(key, answer, 401, 'missing_api_key');
    expect(answer.body.error.type).toBe('authentication_error');
    expect(answer.headers.get('www-authenticate')).toBe('Bearer');
  });

  it('refuses a wrong API key and does not echo it', async () => {
    const key = uniqueKey('wrong-api-key');
    const answer = await api.call('POST', '/payments', {
      body: payment(),
      headers: { 'idempotency-key': key },
      key: 'sk_wrong_key_000000000000',
    });
    await rejected(key, answer, 401, 'invalid_api_key');
    expect(answer.text).not.toContain('sk_wrong_key');
  });

  it('protects reads too, but not /health or /docs', async () => {
    expectApiError(await api.call('GET', '/payments?status=dead_lettered', { key: null }), 401, 'missing_api_key');
    expectApiError(await api.call('GET', `/payments/${randomUUID()}`, { key: 'nope' }), 401, 'invalid_api_key');
    expect((await api.call('GET', '/health', { key: null })).status).toBe(200);
  });

  it('accepts every configured key (rotation)', async () => {
    const answer = await api.call('GET', '/payments?status=dead_lettered', { key: 'second_key_for_rotation_0000' });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ data: expect.any(Array) });
  });
});

describe('other client errors', () => {
  it('404 for an unknown payment and for an unknown route', async () => {
    expectApiError(await api.call('GET', `/payments/${randomUUID()}`), 404, 'payment_not_found');
    expectApiError(await api.call('GET', '/refunds'), 404, 'route_not_found');
  });

  it('400 for a payment id that is not a UUID, a bad wait or a bad list filter', async () => {
    const badId = expectApiError(await api.call('GET', '/payments/order-1'), 400, 'validation_failed');
    expect(badId.message).toBe('params.id: payment id must be a UUID');
    const badWait = expectApiError(
      await api.call('GET', `/payments/${randomUUID()}?wait=forever`),
      400,
      'validation_failed',
    );
    expect(badWait.message).toMatch(/wait must be a duration such as 5s or 500ms/);
    expectApiError(await api.call('GET', '/payments?status=lost'), 400, 'validation_failed');
    expectApiError(await api.call('GET', '/payments'), 400, 'validation_failed');
    expectApiError(await api.call('GET', '/payments?status=failed&needs=attention'), 400, 'validation_failed');
    expectApiError(await api.call('GET', '/payments?needs=everything'), 400, 'validation_failed');
    expectApiError(await api.call('GET', '/payments'), 400, 'validation_failed');
  });
});

describe('OpenAPI', () => {
  it('serves the Swagger UI at /docs without a key', async () => {
    const answer = await api.call('GET', '/docs', { key: null });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toMatch(/^text\/html/);
    expect(answer.text).toMatch(/swagger-ui/i);
  });

  it('describes every route and its auth at /docs/json', async () => {
    const answer = await api.call('GET', '/docs/json', { key: null });
    expect(answer.status).toBe(200);
    const doc = answer.body;
    expect(Object.keys(doc.paths).sort()).toEqual([
      '/disputes',
      '/disputes/{id}',
      '/disputes/{id}/approve',
      '/payments',
      '/payments/{id}',
      '/payments/{id}/3ds',
      '/payments/{id}/cancel',
      '/payments/{id}/card',
      '/payments/{id}/card-updates',
      '/payments/{id}/refunds',
      '/payments/{id}/retry',
      '/payments/{id}/retry-now',
      '/webhooks/gateway',
    ]);
    const create = doc.paths['/payments'].post;
    expect(create.parameters).toContainEqual(expect.objectContaining({ in: 'header', name: 'idempotency-key' }));
    expect(create.requestBody.content['application/json'].schema).toMatchObject({
      required: ['amount', 'currency', 'paymentMethod'],
      additionalProperties: false,
    });
    expect(Object.keys(create.responses)).toEqual(expect.arrayContaining(['200', '201', '4XX']));
    expect(create.security).toEqual([{ bearerAuth: [] }]);
    expect(doc.paths['/webhooks/gateway'].post.security).toBeUndefined();
  });
});

describe('unexpected errors', () => {
  it('answer 500 "internal error" and log the detail, not send it', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const broken = {
      getPayment: async () => {
        throw new Error('connection to db-primary.internal:5432 refused');
      },
    } as unknown as PaymentsClient;
    const app = createApiServer({
      payments: broken,
      disputes: api.disputes,
      logger: createLogger({ level: 'error', destination: sink }),
      apiKeys: [API_KEY],
      webhookSecret: 'unused_secret_0123456789',
      webhookToleranceSeconds: 300,
      maxWaitMs: 1000,
    });
    try {
      const url = await listenOnLoopback(app);
      const res = await fetch(`${url}/payments/${randomUUID()}`, { headers: { authorization: `Bearer ${API_KEY}` } });
      const text = await res.text();
      expect(res.status).toBe(500);
      expect(JSON.parse(text)).toEqual({
        error: { type: 'api_error', code: 'internal_error', message: 'internal error' },
      });
      expect(text).not.toMatch(/db-primary|stack|at /);
      expect(lines.join('')).toContain('connection to db-primary.internal:5432 refused');
    } finally {
      await app.close();
    }
  });
});
