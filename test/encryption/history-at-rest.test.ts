/**
 * End to end: what the Temporal server stores for a payment is ciphertext; our clients read it back as usual. And
 * a card number never reaches Temporal at all (the client exchanges it for a token first), so with the codec off
 * the history, memo, user metadata, search attributes, audit rows and logs still hold none.
 */
import { randomUUID } from 'node:crypto';
import type { Payload } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { AesGcmPayloadCodec, ENCRYPTED_ENCODING } from '../../encryption/payload-codec';
import { paymentWorkflowId } from '../../shared/ids';
import { TEST_ENCRYPTION_KEYS } from '../support/encryption';
import { startPaymentHarness, uniqueKey, type PaymentHarness } from '../support/payment-harness';
import { createLogger } from '../../logging/logger';

const CARD = '4000056655665556'; // a debit Visa the sandbox charges like any other number

let h: PaymentHarness;
beforeAll(async () => {
  h = await startPaymentHarness();
});
afterAll(async () => {
  await h?.teardown();
});

it('encrypts every payload at rest, memo included; the card number is in none of them, even decoded', async () => {
  const probe = `at-rest probe ${randomUUID()}`; // our data in the input, to show the codec hides it
  const { paymentId } = await h.client.startPayment({
    idempotencyKey: uniqueKey('at-rest'),
    amount: 1234,
    currency: 'USD',
    paymentMethod: { type: 'card', number: CARD },
    description: probe,
  });
  expect((await h.client.result(paymentId)).status).toBe('succeeded');

  // fetchHistory returns the events as the server stores them (codecs are not applied).
  const history = await h.env.client.workflow.getHandle(paymentWorkflowId(paymentId)).fetchHistory();
  // Not in any field of any event: the whole history as the server sends it, in bytes.
  const bytes = Buffer.from(temporal.api.history.v1.History.encode(history).finish());
  expect(bytes.includes(CARD)).toBe(false);
  const stored = payloadsIn(history);
  const encrypted = stored.filter((p) => encodingOf(p) === ENCRYPTED_ENCODING);
  const decoded = await new AesGcmPayloadCodec(TEST_ENCRYPTION_KEYS).decode(encrypted);

  // The same search finds our data once decoded, so its absence in what is stored means something.
  expect(decoded.some((p) => text(p.data).includes(probe))).toBe(true);
  expect(stored.some((p) => text(p.data).includes(probe))).toBe(false);
  // The number was exchanged for a token before the run started: not even the decrypted input holds it.
  expect(decoded.some((p) => text(p.data).includes(CARD))).toBe(false);
  expect(decoded.some((p) => /"id":"pm_[A-Za-z0-9]+"/.test(text(p.data)))).toBe(true);
  expect(encrypted.length).toBeGreaterThan(5);
  // What stays in clear is the SDK's own bookkeeping (local-activity markers, and patch markers: an id and a
  // deprecated flag, nothing else), never our data.
  for (const p of stored.filter((x) => encodingOf(x) !== ENCRYPTED_ENCODING)) {
    // A patch marker is exactly {"id":"<patch id>","deprecated":…}: nothing else can hide in it.
    expect(text(p.data)).toMatch(/"activity_type"|^\{"id":"[a-z0-9-]+","deprecated":(true|false)\}$/);
  }
  // And our clients read everything back: the query, the memo.
  expect((await h.client.getPayment(paymentId)).amount).toBe(1234);
  const described = await h.env.client.workflow.getHandle(paymentWorkflowId(paymentId)).describe();
  expect(described.memo?.fingerprint).toEqual(expect.any(String));
});

describe('with the payload codec switched off', () => {
  const lines: string[] = [];
  let plain: PaymentHarness;
  beforeAll(async () => {
    const destination = { write: (line: string) => void lines.push(line) };
    const logger = createLogger({ level: 'debug', name: 'at-rest', destination });
    plain = await startPaymentHarness({ plainPayloads: true, logger });
  });
  afterAll(async () => {
    await plain?.teardown();
  });

  it('no number in the history, memo, user metadata, search attributes, audit rows or logs: the token instead', async () => {
    const { paymentId } = await plain.client.startPayment({
      idempotencyKey: uniqueKey('at-rest-plain'),
      amount: 4321,
      currency: 'USD',
      paymentMethod: { type: 'card', number: CARD },
    });
    expect((await plain.client.result(paymentId)).status).toBe('succeeded');
    const handle = plain.env.client.workflow.getHandle(paymentWorkflowId(paymentId));
    const history = await handle.fetchHistory();
    const bytes = Buffer.from(temporal.api.history.v1.History.encode(history).finish());
    expect(bytes.includes(CARD)).toBe(false);

    // Nothing is encrypted, so the input reads in clear: the token, its brand and last four are what it holds.
    const stored = payloadsIn(history);
    expect(stored.some((p) => encodingOf(p) === ENCRYPTED_ENCODING)).toBe(false);
    const started = history.events?.[0]?.workflowExecutionStartedEventAttributes;
    const input = JSON.parse(text(asBytes(started?.input?.payloads?.[0]?.data)));
    expect(input.paymentMethod).toEqual({
      type: 'token',
      id: expect.stringMatching(/^pm_/),
      card: { brand: 'visa', last4: '5556', expMonth: expect.any(Number), expYear: expect.any(Number) },
    });
    expect(JSON.stringify(input)).not.toContain(CARD);
    // User metadata (the UI's summary) names the card by brand and last four.
    const summary = text(asBytes(history.events?.[0]?.userMetadata?.summary?.data));
    expect(summary).toContain('card ending 5556');
    const details = text(asBytes(history.events?.[0]?.userMetadata?.details?.data));
    expect(details).toContain(`token: ${input.paymentMethod.id} (visa)`);

    const described = await handle.describe();
    expect(JSON.stringify(described.memo)).not.toContain(CARD);
    expect(JSON.stringify(described.searchAttributes)).not.toContain(CARD);
    expect((await plain.client.getPayment(paymentId)).paymentMethod?.id).toBe(input.paymentMethod.id);

    const rows = await plain.audit.history(paymentId);
    expect(rows.map((r) => r.status)).toEqual(['initiated', 'processing', 'succeeded']);
    expect(JSON.stringify(rows)).not.toContain(CARD);

    // The logs (worker and sandbox, at debug) saw the payment but never the number: not even masked, which is
    // what the logger would have made of it had it reached a log line.
    const logs = lines.join('');
    expect(logs).toContain(paymentId);
    expect(logs).not.toContain(CARD);
    expect(logs).not.toContain('****5556');
  });
});

/** Every payload (an object with `metadata` and `data`) in a history, except search attributes (plain by design). */
function payloadsIn(value: unknown, out: Payload[] = [], key = ''): Payload[] {
  if (value === null || typeof value !== 'object' || key === 'searchAttributes') return out;
  const obj = value as Record<string, unknown>;
  if ('metadata' in obj && 'data' in obj && obj.metadata && typeof obj.metadata === 'object') {
    out.push({ metadata: obj.metadata as Payload['metadata'], data: asBytes(obj.data) });
    return out;
  }
  for (const [k, child] of Object.entries(obj)) payloadsIn(child, out, k);
  return out;
}

function encodingOf(p: Payload): string {
  return text(asBytes(p.metadata?.encoding));
}

function asBytes(v: unknown): Uint8Array {
  if (v instanceof Uint8Array) return v;
  return typeof v === 'string' ? Buffer.from(v, 'base64') : new Uint8Array();
}

function text(v: Uint8Array | null | undefined): string {
  return Buffer.from(v ?? []).toString('latin1');
}
