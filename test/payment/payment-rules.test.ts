/** The payment workflow's request rules as a table: what may be cancelled, and which inputs it refuses. */
import { ApplicationFailure } from '@temporalio/common';
import { cancelRefusal, CANCELLABLE, validateInput } from '../../workflows/payment-rules';
import { PAYMENT_STATUSES, type PaymentStatus } from '../../shared/payment-status';
import { ErrorType } from '../../shared/errors';
import type { PaymentInput } from '../../shared/payment-types';
import { DEFAULT_PAYMENT_POLICY } from '../../shared/payment-policy';

const valid: PaymentInput = {
  paymentId: '6f1d3c2a-9b8e-5f7d-8c5a-1e2b3d4c5f6a',
  idempotencyKey: 'order-1',
  amount: 1000,
  currency: 'USD',
  paymentMethod: { type: 'card', number: '4242424242424242', expMonth: 12, expYear: 2030, cvc: '123' },
} as PaymentInput;

function refusal(input: PaymentInput): string | undefined {
  try {
    validateInput(input);
    return undefined;
  } catch (err) {
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect(err).toMatchObject({ type: ErrorType.InvalidInput, nonRetryable: true });
    return (err as Error).message;
  }
}

describe('cancellation', () => {
  it.each<[PaymentStatus, boolean]>(
    PAYMENT_STATUSES.map((s) => [
      s,
      ['initiated', 'pending_retry', 'awaiting_payment_method', 'requires_action', 'dead_lettered', 'queued'].includes(
        s,
      ),
    ]),
  )('%s cancellable: %s', (status, cancellable) => {
    expect(CANCELLABLE.includes(status)).toBe(cancellable);
  });

  it.each<[PaymentStatus, RegExp]>([
    ['succeeded', /refund it instead/],
    ['processing', /in flight/],
    ['unknown', /in flight/],
    ['failed', /cannot be cancelled/],
  ])('refuses %s with a reason that says why', (status, reason) => {
    expect(cancelRefusal(status)).toMatch(reason);
  });
});

describe('input', () => {
  it('accepts a valid unversioned input', () => {
    expect(refusal(valid)).toBeUndefined();
  });

  it.each<[string, Partial<PaymentInput>, RegExp]>([
    ['a zero amount', { amount: 0 }, /positive integer/],
    ['a fractional amount', { amount: 10.5 }, /positive integer/],
    ['an unsafe amount', { amount: 2 ** 53 }, /positive integer/],
    ['a lower-case currency', { currency: 'usd' }, /ISO 4217/],
    ['an unknown version', { version: 99 as never }, /version 99 is not supported/],
    ['a version 2 input without its policy', { version: 2 as never, policy: undefined }, /./],
    ['a version 3 input without its policy', { version: 3 as never, policy: undefined }, /./],
    ['a version 4 input without its policy', { version: 4 as never, policy: undefined }, /./],
    ['a version 5 input without its policy', { version: 5 as never, policy: undefined }, /./],
    ['a version 6 input without its policy', { version: 6 as never, policy: undefined }, /./],
  ])('refuses %s', (_name, change, message) => {
    expect(refusal({ ...valid, ...change })).toMatch(message);
  });
});

describe('the failover order (input version 5)', () => {
  const v5 = { ...valid, version: 5, policy: DEFAULT_PAYMENT_POLICY };
  const token = { type: 'token' as const, id: 'pm_second' };

  it('accepts an order whose later gateways carry their own token', () => {
    expect(refusal({ ...v5, gateways: [{ gateway: 'primary' }, { gateway: 'secondary', paymentMethod: token }] })).toBe(
      undefined,
    );
  });

  it.each<[string, Partial<PaymentInput>, RegExp]>([
    ['an order on version 4', { version: 4, gateways: [{ gateway: 'primary' }] }, /need input version 5/],
    ['an empty order', { gateways: [] }, /at least one gateway/],
    ['a bad name', { gateways: [{ gateway: 'Primary EU' }] }, /name is invalid/],
    ['a gateway twice', { gateways: [{ gateway: 'a' }, { gateway: 'a', paymentMethod: token }] }, /named twice/],
    ['a later gateway without a token', { gateways: [{ gateway: 'a' }, { gateway: 'b' }] }, /b has no payment-method/],
  ])('refuses %s', (_name, change, message) => {
    expect(refusal({ ...v5, ...change })).toMatch(message);
  });
});
