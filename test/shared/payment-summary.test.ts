/** The UI's at-a-glance text: amounts in the currency's own exponent, never a card number. */
import { formatAmount, paymentDetails, paymentStaticDetails, paymentSummary } from '../../shared/payment-summary';
import type { PaymentState } from '../../shared/payment-types';

it('shows minor units with the ISO 4217 exponent of the currency', () => {
  expect(formatAmount(2500, 'USD')).toBe('25.00 USD');
  expect(formatAmount(500, 'JPY')).toBe('500 JPY');
  expect(formatAmount(1234, 'KWD')).toBe('1.234 KWD');
  expect(formatAmount(7, 'EUR')).toBe('0.07 EUR');
});

it('names the card by its last four digits only, also in free text', () => {
  const card = { type: 'card' as const, number: '4242 4242 4242 4242' };
  expect(paymentSummary({ amount: 2500, currency: 'USD', paymentMethod: card })).toBe(
    'Payment 25.00 USD · card ending 4242',
  );
  expect(paymentSummary({ amount: 100, currency: 'EUR', paymentMethod: card, gateway: 'stripe' })).toBe(
    'Payment 1.00 EUR · card ending 4242 · via stripe',
  );
  const details = paymentStaticDetails('p-1', {
    amount: 100,
    currency: 'EUR',
    paymentMethod: card,
    description: 'customer wrote 4000 0000 0000 9995 in the note',
  });
  expect(details).not.toMatch(/4242 4242|4000 0000 0000 9995/);
  expect(details).toContain('description: customer wrote ****9995 in the note');
});

it('details say where the payment stands: status, charge, refunds, reason', () => {
  const state = {
    paymentId: 'p-1',
    status: 'partially_refunded',
    amount: 2500,
    currency: 'USD',
    chargeId: 'ch_1',
    attempts: [{}, {}],
    amountRefunded: 1000,
    refundableUntil: '2027-05-30T00:00:00.000Z',
    reason: 'card 4242424242424242 declined once',
  } as unknown as PaymentState;
  expect(paymentDetails(state).split('  \n')).toEqual([
    '**partially_refunded** · 25.00 USD',
    'attempts: 2',
    'charge: ch_1',
    'refunded: 10.00 USD',
    'refundable until: 2027-05-30T00:00:00.000Z',
    'reason: card ****4242 declined once',
  ]);
});
