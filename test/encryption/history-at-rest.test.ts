/** End to end: what the Temporal server stores for a payment is ciphertext; our clients read it back as usual. */
import type { Payload } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { AesGcmPayloadCodec, ENCRYPTED_ENCODING } from '../../encryption/payload-codec';
import { paymentWorkflowId } from '../../shared/ids';
import { TEST_ENCRYPTION_KEYS } from '../support/encryption';
import { startPaymentHarness, uniqueKey, type PaymentHarness } from '../support/payment-harness';

let h: PaymentHarness;
beforeAll(async () => {
  h = await startPaymentHarness();
});
afterAll(async () => {
  await h?.teardown();
});

it('keeps the card number out of the stored history, memo included', async () => {
  const card = '4000056655665556'; // a debit Visa the sandbox charges like any other number
  const { paymentId } = await h.client.startPayment({
    idempotencyKey: uniqueKey('at-rest'),
    amount: 1234,
    currency: 'USD',
    paymentMethod: { type: 'card', number: card },
  });
  expect((await h.client.result(paymentId)).status).toBe('succeeded');

  // fetchHistory returns the events as the server stores them (codecs are not applied).
  const history = await h.env.client.workflow.getHandle(paymentWorkflowId(paymentId)).fetchHistory();
  // Not in any field of any event: the whole history as the server sends it, in bytes.
  const bytes = Buffer.from(temporal.api.history.v1.History.encode(history).finish());
  expect(bytes.includes(card)).toBe(false);
  const stored = payloadsIn(history);
  const encrypted = stored.filter((p) => encodingOf(p) === ENCRYPTED_ENCODING);
  const decoded = await new AesGcmPayloadCodec(TEST_ENCRYPTION_KEYS).decode(encrypted);

  // The same search finds the card once decoded, so its absence in what is stored means something.
  expect(decoded.some((p) => text(p.data).includes(card))).toBe(true);
  expect(stored.some((p) => text(p.data).includes(card))).toBe(false);
  expect(encrypted.length).toBeGreaterThan(5);
  // What stays in clear is the SDK's own bookkeeping (local-activity and patch markers), never our data.
  for (const p of stored.filter((x) => encodingOf(x) !== ENCRYPTED_ENCODING)) {
    // A patch marker is exactly {"id":"<patch id>","deprecated":…}: nothing else can hide in it.
    expect(text(p.data)).toMatch(/"activity_type"|^\{"id":"[a-z0-9-]+","deprecated":(true|false)\}$/);
  }
  // And our clients read everything back: the query, the memo.
  expect((await h.client.getPayment(paymentId)).amount).toBe(1234);
  const described = await h.env.client.workflow.getHandle(paymentWorkflowId(paymentId)).describe();
  expect(described.memo?.fingerprint).toEqual(expect.any(String));
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
