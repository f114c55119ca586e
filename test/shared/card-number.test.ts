/** The one definition of "looks like a card number" that logging, the audit trail, the schemas and the CLI share. */
import { isCardNumberField, looksLikeCardNumber, maskCardNumbers, maskedCardNumber } from '../../shared/card-number';

describe('looksLikeCardNumber', () => {
  it.each([
    '424242424242', // 12 digits: the shortest PAN (Maestro), and a card number we accept
    '4242424242424', // 13 digits
    '4242424242424242',
    '4242424242424242424', // 19 digits
    '4242 4242 4242 4242',
    '4000-0000-0000-0002',
    '3782 822463 10005', // 15-digit Amex, grouped 4-6-5
    'ticket 4242424242424242 per customer',
    'declined: 5555555555554444 (soft)',
    'pan=4242424242424242',
    '(4242424242424242)',
  ])('finds a card number in %p', (text) => expect(looksLikeCardNumber(text)).toBe(true));

  it.each([
    '42424242424', // 11 digits
    '42424242424242424242', // 20 digits: longer than any PAN
    '4242  4242  4242  4242', // double spaces: not one number
    'ch_1234567890123456789', // digits glued to an identifier
    'ch_3MmlLrLkdIwHu7ix0snN0B15',
    'cus4242424242424242',
    '4242424242424242x',
    '5f0c1234567890123456ab9e', // hex token
    '12345678-1234-4234-9234-123456789012', // a UUID can hold long digit runs by chance
    'payment 12345678-1234-4234-9234-123456789012:v1',
    '2025-01-02T03:04:05.678Z',
    'attempt 3 of 5',
    '4242',
    '',
  ])('finds none in %p', (text) => expect(looksLikeCardNumber(text)).toBe(false));
});

describe('maskCardNumbers', () => {
  it.each([
    ['ticket 4242424242424242 per customer', 'ticket ****4242 per customer'],
    ['4242 4242 4242 1881 then 4000-0000-0000-0002', '****1881 then ****0002'],
    ['12 digits 424242424242.', '12 digits ****4242.'],
    ['cards 4242424242424242,5555555555554444', 'cards ****4242,****4444'],
  ])('masks %p to the last four', (text, masked) => expect(maskCardNumbers(text)).toBe(masked));

  it.each([
    'ch_1234567890123456789',
    '42424242424242424242',
    '12345678-1234-4234-9234-123456789012',
    'insufficient_funds',
    'attempt 3 of 5, amount 1999',
  ])('leaves %p as it is', (text) => expect(maskCardNumbers(text)).toBe(text));

  it('masks around a UUID without touching it', () => {
    const uuid = '12345678-1234-4234-9234-123456789012';
    expect(maskCardNumbers(`${uuid} paid with 4242424242424242, run ${uuid}`)).toBe(
      `${uuid} paid with ****4242, run ${uuid}`,
    );
  });

  it('returns text that no longer looks like a card number, and is stable when applied again', () => {
    const masked = maskCardNumbers('ticket 4242 4242 4242 4242 and 4000000000000069');
    expect(looksLikeCardNumber(masked)).toBe(false);
    expect(maskCardNumbers(masked)).toBe(masked);
  });

  it('maskedCardNumber keeps only the last four digits', () => {
    expect(maskedCardNumber('4242-4242-4242-1881')).toBe('****1881');
  });
});

describe('isCardNumberField', () => {
  it.each(['424242424242', '4242424242424242', '4242424242424242424'])('accepts %p', (value) =>
    expect(isCardNumberField(value)).toBe(true),
  );

  it.each([
    '42424242424', // 11 digits
    '42424242424242424242', // 20 digits
    '4242 4242 4242 4242', // grouping is for humans; the field takes the bare digits
    '4242-4242-4242-4242',
    ' 4242424242424242',
    'card 4242424242424242',
    4242424242424242,
    undefined,
  ])('refuses %p', (value) => expect(isCardNumberField(value)).toBe(false));

  it('agrees with detection: every number the field accepts is found and masked in text', () => {
    for (const digits of [12, 13, 16, 19]) {
      const number = '4'.repeat(digits - 4) + '1881';
      expect(isCardNumberField(number)).toBe(true);
      expect(looksLikeCardNumber(`note ${number}`)).toBe(true);
      expect(maskCardNumbers(`note ${number}`)).toBe('note ****1881');
    }
  });
});
