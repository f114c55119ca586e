/** How the CLI's errors map onto its exit codes (cli/exit.ts), without a server: the codes scripts branch on. */
import { classifyError, ExitCode } from '../../cli/exit';
import { IdempotencyKeyReusedError, PaymentNotFoundError, PaymentPendingError } from '../../client/errors';

it('exits 5 "unavailable" for a start not yet settled, saying to retry with the same key', () => {
  expect(classifyError(new PaymentPendingError('p1'))).toEqual({
    code: ExitCode.Unavailable,
    kind: 'unavailable',
    message: 'payment p1 has not claimed its idempotency key yet; retry with the same key',
  });
});

it('keeps the other codes: a reused key is usage (2), a missing payment not found (3), the rest unexpected (5)', () => {
  expect(classifyError(new IdempotencyKeyReusedError('used'))).toMatchObject({ code: 2, kind: 'usage' });
  expect(classifyError(new PaymentNotFoundError('no p1'))).toMatchObject({ code: 3, kind: 'not_found' });
  expect(classifyError(new Error('boom'))).toEqual({ code: 5, kind: 'unexpected', message: 'unexpected error: boom' });
});
