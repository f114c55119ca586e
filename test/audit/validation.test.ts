import { ApplicationFailure } from '@temporalio/common';
import { createAuditActivities } from '../../activities/audit';
import type { AuditEntry } from '../../audit/types';
import { AuditInputError } from '../../audit/validate';
import { BACKENDS } from './support/backends';
import { countRows, newPaymentId, useStore } from './support/fixture';

const bad = (overrides: Record<string, unknown>): AuditEntry =>
  ({ paymentId: newPaymentId(), eventKey: '1', status: 'processing', ...overrides }) as AuditEntry;

/** [what, entry, field named in the error] */
const REFUSED: Array<[string, AuditEntry, RegExp]> = [
  ['an unknown status', bad({ status: 'settled' }), /^status: must be one of initiated, /],
  ['a status in the wrong case', bad({ status: 'SUCCEEDED' }), /^status:/],
  ['a malformed payment id', bad({ paymentId: 'pay_123' }), /^paymentId: must be a UUID/],
  ['a UUID without dashes', bad({ paymentId: '0f8fad5bd9cb469fa16570867728950e' }), /^paymentId:/],
  ['an empty event key', bad({ eventKey: '' }), /^eventKey:/],
  ['a 201-character event key', bad({ eventKey: 'k'.repeat(201) }), /^eventKey:/],
  ['an invalid date', bad({ occurredAt: new Date('nope') }), /^occurredAt:/],
  ['a card key', bad({ metadata: { card: { last4: '4242' } } }), /^metadata\.card: a key reserved for card data/],
  ['a cvc key', bad({ metadata: { cvc: '123' } }), /^metadata\.cvc:/],
  ['a number key', bad({ metadata: { number: 'x' } }), /^metadata\.number:/],
  [
    'a nested card number key',
    bad({ metadata: { details: [{ cardNumber: 'x' }] } }),
    /^metadata\.details\[0\]\.cardNumber:/,
  ],
  ['array metadata', bad({ metadata: ['a'] }), /^metadata: must be a plain object/],
];

describe.each(BACKENDS)('audit store on %s: bad input', (backend) => {
  const fx = useStore(backend);

  it.each(REFUSED)('refuses %s, naming the field, and writes nothing', async (_what, entry, message) => {
    const before = await countRows(fx.db);
    const append = fx.store.append(entry);
    await expect(append).rejects.toBeInstanceOf(AuditInputError);
    await expect(append).rejects.toThrow(message);
    expect(await countRows(fx.db)).toBe(before);
  });

  it('never echoes a card number in the error message', async () => {
    await expect(fx.store.append(bad({ paymentId: '4242424242424242' }))).rejects.toThrow(
      'paymentId: must be a UUID (got a value that looks like a card number)',
    );
  });

  it('accepts the metadata the workflow sends', async () => {
    const metadata = {
      attempt: 3,
      errorCode: 'card_declined',
      declineClass: 'soft',
      chargeId: 'ch_1234567890123456789',
      gateway: 'sandbox',
      gatewayKey: '12345678-1234-4234-9234-123456789012:v2:1',
      keyVersion: 2,
      cardVersion: 2,
      step: 'confirm',
      reason: 'insufficient_funds',
      workflowRunId: '12345678-1234-4234-9234-123456789012',
      amount: 4242424242424242,
    };
    const paymentId = newPaymentId();
    await fx.store.append({ paymentId, eventKey: '1', status: 'failed', metadata });
    expect((await fx.store.history(paymentId))[0].metadata).toEqual(metadata);
  });

  it('masks card numbers in free text instead of refusing the row', async () => {
    const paymentId = newPaymentId();
    const metadata = {
      reason: 'ticket 4242424242424242 per customer',
      details: [{ note: 'card 4000-0000-0000-0002 declined' }],
      chargeId: 'ch_1234567890123456789',
    };
    expect(await fx.store.append({ paymentId, eventKey: '1', status: 'cancelled', metadata })).toEqual({
      inserted: true,
    });
    const [row] = await fx.store.history(paymentId);
    expect(row.metadata).toEqual({
      reason: 'ticket ****4242 per customer',
      details: [{ note: 'card ****0002 declined' }],
      chargeId: 'ch_1234567890123456789',
    });
    const [raw] = await fx.db.query<{ text: string }>(
      'SELECT metadata::text AS text FROM payment_status WHERE payment_id = $1',
      [paymentId],
    );
    expect(raw.text).not.toMatch(/4242424242424242|4000-0000-0000-0002/);
  });

  it('refuses bad reads before touching the database', async () => {
    await expect(fx.store.history('nope')).rejects.toThrow(/^paymentId:/);
    await expect(fx.store.currentStatus('nope')).rejects.toThrow(/^paymentId:/);
    await expect(fx.store.byStatus('settled' as never)).rejects.toThrow(/^status:/);
  });
});

describe.each(BACKENDS)('audit activities on %s: card data never fails a run', (backend) => {
  const fx = useStore(backend);
  const activities = () => createAuditActivities({ audit: fx.store });

  it('stores the status with a card-data key dropped and named, instead of failing', async () => {
    const paymentId = newPaymentId();
    const metadata = { reason: 'ticket 4242424242424242', card: { number: '4242424242424242' }, attempt: 1 };
    await expect(
      activities().recordStatus({ paymentId, eventKey: '1:cancelled', status: 'cancelled', metadata }),
    ).resolves.toEqual({
      inserted: true,
    });
    expect((await fx.store.history(paymentId))[0]).toMatchObject({
      status: 'cancelled',
      metadata: { reason: 'ticket ****4242', attempt: 1, droppedCardDataKeys: ['metadata.card'] },
    });
  });

  it('still refuses a malformed row, non-retryably', async () => {
    const write = activities().recordStatus({ paymentId: 'pay_1', eventKey: '1', status: 'failed', metadata: {} });
    await expect(write).rejects.toBeInstanceOf(ApplicationFailure);
    await expect(write).rejects.toMatchObject({ type: 'AuditRejected', nonRetryable: true });
  });
});

describe.each(BACKENDS)('audit table on %s: CHECK constraints back the validation up', (backend) => {
  const fx = useStore(backend);
  const insert = (paymentId: string, eventKey: string, status: string, metadata = '{}') =>
    fx.db.query('INSERT INTO payment_status (payment_id, event_key, status, metadata) VALUES ($1, $2, $3, $4::jsonb)', [
      paymentId,
      eventKey,
      status,
      metadata,
    ]);

  it('refuses what the store would have refused', async () => {
    await expect(insert(newPaymentId(), '1', 'settled')).rejects.toMatchObject({ code: '23514' });
    await expect(insert('pay_123', '1', 'failed')).rejects.toMatchObject({ code: '22P02' });
    await expect(insert(newPaymentId(), '', 'failed')).rejects.toMatchObject({ code: '23514' });
    await expect(insert(newPaymentId(), 'k'.repeat(201), 'failed')).rejects.toMatchObject({ code: '23514' });
    await expect(insert(newPaymentId(), '1', 'failed', '[1]')).rejects.toMatchObject({ code: '23514' });
    expect(await countRows(fx.db)).toBe(0);
  });
});
