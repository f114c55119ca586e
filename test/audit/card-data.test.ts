import { findCardData, isCardKey, looksLikePan } from '../../audit/card-data';

describe('card data detection', () => {
  it.each([
    '4242424242424242',
    '4242 4242 4242 4242',
    '4000-0000-0000-0002',
    '378282246310005', // 15-digit Amex
    '6011111111111117',
    '4242424242424', // 13 digits
    '4242424242424242424', // 19 digits
    'declined: 5555555555554444 (soft)',
    'pan=4242424242424242',
  ])('flags %s as a PAN', (value) => expect(looksLikePan(value)).toBe(true));

  it.each([
    '424242424242', // 12 digits
    '42424242424242424242', // 20 digits: longer than any PAN
    'ch_3MmlLrLkdIwHu7ix0snN0B15',
    'ch_1234567890123456789', // digits inside an identifier
    '5f0c1234567890123456ab9e', // hex token
    '12345678-1234-4234-9234-123456789012', // UUIDs may hold long digit runs by chance
    '2025-01-02T03:04:05.678Z',
    'attempt 3 of 5',
    '4242',
  ])('does not flag %s', (value) => expect(looksLikePan(value)).toBe(false));

  it.each(['card', 'cardNumber', 'card_last4', 'CVC', 'cvv2', 'number', 'accountNumber', 'pan', 'panToken', 'raw_pan'])(
    'treats the key %s as card data',
    (key) => expect(isCardKey(key)).toBe(true),
  );

  it.each(['attempt', 'errorCode', 'declineClass', 'chargeId', 'gateway', 'reason', 'company', 'expand', 'span'])(
    'allows the key %s',
    (key) => expect(isCardKey(key)).toBe(false),
  );

  it('walks nested objects and arrays and reports the path', () => {
    expect(findCardData({ a: { b: [1, 'ok', { c: '4242424242424242' }] } }, 'metadata')).toEqual({
      path: 'metadata.a.b[2].c',
      kind: 'pan_value',
    });
    expect(findCardData({ a: { cardHolder: 'x' } }, 'metadata')).toEqual({
      path: 'metadata.a.cardHolder',
      kind: 'card_key',
    });
    expect(findCardData({ a: [{ b: null }], n: 4242424242424242 }, 'metadata')).toBeUndefined();
  });
});
