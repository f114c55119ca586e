import { findCardKey, isCardKey, withoutCardKeys } from '../../audit/card-data';

describe('card data keys', () => {
  it.each([
    'card',
    'number',
    'cardNumber',
    'card_number',
    'CARD_NUMBER',
    'cardHolder',
    'cardholderName',
    'CVC',
    'cvv2',
    'cvcCheck',
    'accountNumber',
    'pan',
    'panToken',
    'PANToken',
    'raw_pan',
  ])('treats the key %s as card data', (key) => expect(isCardKey(key)).toBe(true));

  it.each([
    // Every key the payment and dispute workflows write: refusing one would fail the run.
    'attempt',
    'amount',
    'currency',
    'errorCode',
    'declineClass',
    'chargeId',
    'gateway',
    'gatewayKey',
    'keyVersion',
    'step',
    'reason',
    'retryInMs',
    'softDeclines',
    'maxAttempts',
    'checks',
    'refundId',
    'refundSeq',
    'refundAmount',
    'amountRefunded',
    'dueBy',
    'fields',
    'missing',
    'error',
    'approvedBy',
    'outcome',
    // Names that contain a card word without holding card data.
    'cardVersion',
    'cardBrand',
    'card_last4',
    'refundNumber',
    'trackingNumber',
    'droppedCardDataKeys',
    'company',
    'expand',
    'span',
  ])('allows the key %s', (key) => expect(isCardKey(key)).toBe(false));

  it('finds the first card key in nested objects and arrays, by path', () => {
    expect(findCardKey({ a: { b: [1, 'ok', { cvc: '123' }] } }, 'metadata')).toBe('metadata.a.b[2].cvc');
    expect(findCardKey({ a: { cardNumber: 'x' } }, 'metadata')).toBe('metadata.a.cardNumber');
    expect(findCardKey({ a: [{ b: null }], reason: '4242424242424242' }, 'metadata')).toBeUndefined();
  });

  it('strips card keys wherever they are and names what it removed', () => {
    const metadata = { reason: 'x', card: { last4: '4242' }, nested: [{ cvc: '123', ok: 1 }], at: new Date(0) };
    expect(withoutCardKeys(metadata, 'metadata')).toEqual({
      value: { reason: 'x', nested: [{ ok: 1 }], at: new Date(0) },
      removed: ['metadata.card', 'metadata.nested[0].cvc'],
    });
    const clean = { reason: 'x', attempt: 1 };
    expect(withoutCardKeys(clean, 'metadata')).toEqual({ value: clean, removed: [] });
  });
});
