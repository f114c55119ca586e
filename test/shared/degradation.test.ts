/** The ladder's pure parts: the graceful failure's wording and a queued payment's waits between looks. */
import { alternativesText, gracefulFailureMessage, probeDelayMs } from '../../shared/degradation';
import { DEFAULT_DEGRADATION } from '../../shared/payment-policy';

it("words the seed's message with the alternatives, and without any", () => {
  expect(alternativesText(['PayPal'])).toBe('PayPal');
  expect(alternativesText(['PayPal', 'bank transfer', 'Apple Pay'])).toBe('PayPal, bank transfer or Apple Pay');
  expect(gracefulFailureMessage([])).toBe(
    "We're experiencing issues. Please try again later. You have not been charged.",
  );
  expect(gracefulFailureMessage(['PayPal', 'bank transfer'])).toContain(
    'You can also pay with PayPal or bank transfer.',
  );
});

it('doubles the wait from the first interval to the ceiling, its second half random', () => {
  const ladder = { ...DEFAULT_DEGRADATION, probeIntervalMs: 1_000, probeMaxIntervalMs: 8_000 };
  expect([1, 2, 3, 4, 5].map((look) => probeDelayMs(ladder, look, () => 0))).toEqual([500, 1_000, 2_000, 4_000, 4_000]);
  expect([1, 2, 3, 4, 5].map((look) => probeDelayMs(ladder, look, () => 1))).toEqual([
    1_000, 2_000, 4_000, 8_000, 8_000,
  ]);
});
