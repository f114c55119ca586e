import {
  classifyDecline,
  DECLINE_CODES,
  DECLINE_TABLE,
  GENERIC_DECLINE_MESSAGE,
  type DeclineClass,
  type DeclineInfo,
} from '../../shared/declines';

/** Stripe's Smart Retries list of codes never to retry (reference/payments.md §1.4), copied here rather than imported
 * so the module cannot quietly change the list it is judged against. */
const STRIPE_NON_RETRYABLE = [
  'incorrect_number',
  'lost_card',
  'pickup_card',
  'stolen_card',
  'revocation_of_authorization',
  'revocation_of_all_authorizations',
  'authentication_required',
  'highest_risk_level',
];

const FORBIDDEN_IN_CUSTOMER_MESSAGES = /fraud|stolen|lost|pick ?up|blacklist|security/i;

const tableCodes = DECLINE_TABLE.map((rule) => rule.code as string);

describe('decline table', () => {
  it('lists each Stripe decline code once, plus highest_risk_level', () => {
    // 47 codes in Stripe's table (§1.4) plus Radar's highest_risk_level.
    expect(DECLINE_CODES).toHaveLength(48);
    expect(new Set(DECLINE_CODES).size).toBe(DECLINE_CODES.length);
    expect(DECLINE_CODES).toContain('highest_risk_level');
  });

  it('has exactly one row per code: no missing, extra or duplicate codes', () => {
    expect(new Set(tableCodes).size).toBe(tableCodes.length);
    expect([...tableCodes].sort()).toEqual([...DECLINE_CODES].sort());
  });

  it.each(DECLINE_CODES)('classifies %s as known', (code) => {
    const info = classifyDecline(code);
    expect(info).toMatchObject({ code, known: true });
    expect(info.internalReason).not.toBe('');
    expect(info.customerMessage).not.toBe('');
  });
});

describe('classes', () => {
  const representatives: Record<DeclineClass, string[]> = {
    processing: [
      'processing_error',
      'issuer_not_available',
      'reenter_transaction',
      'try_again_later',
      'approve_with_id',
    ],
    soft: [
      'insufficient_funds',
      'card_velocity_exceeded',
      'withdrawal_count_limit_exceeded',
      'do_not_honor',
      'generic_decline',
      'no_action_taken',
      'call_issuer',
    ],
    hard: [
      'expired_card',
      'incorrect_number',
      'invalid_number',
      'invalid_expiry_month',
      'invalid_expiry_year',
      'incorrect_cvc',
      'invalid_cvc',
      'card_not_supported',
      'currency_not_supported',
      'invalid_account',
      'new_account_information_available',
      'not_permitted',
      'transaction_not_allowed',
      'service_not_allowed',
      'stop_payment_order',
      'revocation_of_authorization',
      'revocation_of_all_authorizations',
      'do_not_try_again',
    ],
    fraud: [
      'fraudulent',
      'stolen_card',
      'lost_card',
      'pickup_card',
      'restricted_card',
      'merchant_blacklist',
      'security_violation',
      'highest_risk_level',
    ],
    authentication: ['authentication_required'],
  };
  const cases = Object.entries(representatives).flatMap(([declineClass, codes]) =>
    codes.map((code) => [code, declineClass] as const),
  );

  it.each(cases)('%s is %s', (code, declineClass) => {
    expect(classifyDecline(code).declineClass).toBe(declineClass);
  });

  it.each(STRIPE_NON_RETRYABLE)("never retries %s (Stripe's non-retryable list)", (code) => {
    const info = classifyDecline(code);
    expect(info.known).toBe(true);
    expect(['processing', 'soft']).not.toContain(info.declineClass);
  });

  it('asks for another card on hard declines, except a duplicate, which needs reconciling instead', () => {
    const wrong = DECLINE_TABLE.filter(
      (rule) => rule.needsDifferentCard !== (rule.declineClass === 'hard' && rule.code !== 'duplicate_transaction'),
    );
    expect(wrong.map((rule) => rule.code)).toEqual([]);
  });
});

describe('customer messages', () => {
  const fraudCodes = DECLINE_TABLE.filter((rule) => rule.declineClass === 'fraud').map((rule) => rule.code);

  it('shows fraud declines exactly as generic_decline', () => {
    const generic = classifyDecline('generic_decline');
    expect(generic.customerMessage).toBe(GENERIC_DECLINE_MESSAGE);
    expect(fraudCodes.length).toBeGreaterThan(0);
    for (const code of fraudCodes) {
      const info = classifyDecline(code);
      // Everything the customer can see must match, or the difference itself reveals the fraud flag.
      expect({ code, message: info.customerMessage, card: info.needsDifferentCard }).toEqual({
        code,
        message: generic.customerMessage,
        card: generic.needsDifferentCard,
      });
    }
  });

  it('never mentions fraud, loss, theft, pickup, block lists or security', () => {
    const infos: DeclineInfo[] = [
      ...DECLINE_CODES.map((code) => classifyDecline(code)),
      classifyDecline('some_new_code'),
      classifyDecline(undefined),
    ];
    // Collect offenders so a failure names the codes at once.
    const offenders = infos.filter((info) => FORBIDDEN_IN_CUSTOMER_MESSAGES.test(info.customerMessage));
    expect(offenders.map((info) => info.code)).toEqual([]);
    expect(GENERIC_DECLINE_MESSAGE).not.toMatch(FORBIDDEN_IN_CUSTOMER_MESSAGES);
  });

  it('keeps the example wording for insufficient funds', () => {
    expect(classifyDecline('insufficient_funds').customerMessage).toBe(
      'Your card has insufficient funds. Use a different card or try again later.',
    );
  });
});

describe('input handling', () => {
  it.each([
    ['some_new_code', 'some_new_code'],
    ['  Some_New_Code ', 'some_new_code'],
    [undefined, ''],
    [null, ''],
    ['', ''],
    ['   ', ''],
    // Object.prototype names must not be found in the lookup.
    ['constructor', 'constructor'],
    ['__proto__', '__proto__'],
    ['toString', 'tostring'],
  ])('treats %p as unknown, hard, with the generic message', (input, code) => {
    expect(classifyDecline(input)).toEqual({
      code,
      declineClass: 'hard',
      internalReason: expect.any(String),
      customerMessage: GENERIC_DECLINE_MESSAGE,
      needsDifferentCard: true,
      known: false,
    });
  });

  it('treats a non-string code from untyped JSON as missing', () => {
    expect(classifyDecline(42 as unknown as string)).toMatchObject({ code: '', known: false, declineClass: 'hard' });
  });

  it.each([
    ['INSUFFICIENT_FUNDS', 'insufficient_funds'],
    ['Stolen_Card', 'stolen_card'],
    [' expired_card ', 'expired_card'],
    ['Authentication_Required', 'authentication_required'],
  ])('classifies %p like %p', (input, code) => {
    expect(classifyDecline(input)).toEqual(classifyDecline(code));
    expect(classifyDecline(input)).toMatchObject({ code, known: true });
  });

  it('returns a fresh object, so a caller mutating it cannot change the table', () => {
    const first = classifyDecline('insufficient_funds');
    first.declineClass = 'processing';
    first.customerMessage = 'changed';
    expect(classifyDecline('insufficient_funds')).toMatchObject({
      declineClass: 'soft',
      customerMessage: 'Your card has insufficient funds. Use a different card or try again later.',
    });
  });
});

describe('who initiated the charge', () => {
  it('makes insufficient_funds hard for a customer at checkout and keeps it soft for a merchant-initiated charge', () => {
    expect(classifyDecline('insufficient_funds', 'customer')).toMatchObject({
      declineClass: 'hard',
      needsDifferentCard: true,
    });
    expect(classifyDecline('insufficient_funds', 'merchant')).toMatchObject({
      declineClass: 'soft',
      needsDifferentCard: false,
    });
    // Release 0.1 made no distinction; without an initiator the table answers as it did.
    expect(classifyDecline('insufficient_funds').declineClass).toBe('soft');
    expect(classifyDecline('generic_decline', 'customer').declineClass).toBe('soft');
  });
});
