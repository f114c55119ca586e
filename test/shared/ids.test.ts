/** Workflow ids are derived from payment and dispute ids one way and read back the other: both directions agree. */
import {
  DISPUTE_ID_PATTERN,
  disputeIdFromWorkflowId,
  disputeWorkflowId,
  PAYMENT_ID_PATTERN,
  paymentIdFromWorkflowId,
  paymentWorkflowId,
} from '../../shared/ids';

const paymentId = '6f1d3c2a-9b8e-5f7d-8c5a-1e2b3d4c5f6a';

describe('id formats', () => {
  it('round-trips payment and dispute workflow ids', () => {
    expect(paymentWorkflowId(paymentId)).toBe(`payment-${paymentId}`);
    expect(paymentIdFromWorkflowId(paymentWorkflowId(paymentId))).toBe(paymentId);
    expect(disputeIdFromWorkflowId(disputeWorkflowId('dp_123'))).toBe('dp_123');
  });

  it('leaves workflow ids of another kind alone', () => {
    expect(paymentIdFromWorkflowId('dispute-dp_1')).toBe('dispute-dp_1');
    expect(disputeIdFromWorkflowId(`payment-${paymentId}`)).toBe(`payment-${paymentId}`);
  });

  it.each([
    [paymentId, true],
    [paymentId.toUpperCase(), true],
    [`{${paymentId}}`, false],
    [paymentId.replace(/-/g, ''), false],
    ['payment-1', false],
  ])('payment id %s valid: %s', (id, valid) => {
    expect(PAYMENT_ID_PATTERN.test(id)).toBe(valid);
  });

  it.each([
    ['dp_1Abc', true],
    ['du_with-dash', true],
    ['', false],
    ['dp 1', false],
    ['x'.repeat(256), false],
    ["dp_1' OR 1=1", false],
  ])('dispute id %j valid: %s', (id, valid) => {
    expect(DISPUTE_ID_PATTERN.test(id)).toBe(valid);
  });
});
