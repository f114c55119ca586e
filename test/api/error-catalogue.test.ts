/**
 * The API's error catalogue, without a server: README.md's error table lists exactly the codes of API_ERRORS
 * (with their status and type), and the client's errors map onto the codes and statuses they always had.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { API_ERRORS, ApiError, toApiError, type ApiErrorCode } from '../../api/errors';
import {
  DisputeNotFoundError,
  DisputeStateError,
  IdempotencyKeyReusedError,
  PaymentNotFoundError,
  PaymentPendingError,
  PaymentStateError,
  PaymentValidationError,
} from '../../client/errors';

interface ReadmeRow {
  status: number;
  code: string;
  type: string;
}

/** The rows `| 400 | `code` | `type` | when |` of the error table in README.md's "HTTP API" section. */
function readmeErrorRows(): ReadmeRow[] {
  const readme = readFileSync(path.resolve(__dirname, '../../README.md'), 'utf8');
  const start = readme.indexOf('\n## HTTP API\n');
  const end = readme.indexOf('\n## ', start + 1);
  expect(start).toBeGreaterThanOrEqual(0);
  const section = readme.slice(start, end === -1 ? undefined : end);
  return section
    .split('\n')
    .map((line) => /^\|\s*(\d{3})\s*\|\s*`([a-z_]+)`\s*\|\s*`([a-z_]+)`\s*\|/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
    .map(([, status, code, type]) => ({ status: Number(status), code, type }));
}

describe("README.md's API error table", () => {
  const rows = readmeErrorRows();
  const documented = rows.map((r) => r.code);
  const defined = Object.keys(API_ERRORS);

  it('lists every code of API_ERRORS', () => {
    expect(defined.filter((code) => !documented.includes(code))).toEqual([]);
  });

  it('lists no code that API_ERRORS lacks, and none twice', () => {
    expect(documented.filter((code) => !defined.includes(code))).toEqual([]);
    expect(new Set(documented).size).toBe(documented.length);
  });

  it('gives each code the status and type API_ERRORS answers it with', () => {
    for (const row of rows) {
      const spec = API_ERRORS[row.code as ApiErrorCode];
      expect({ code: row.code, status: row.status, type: row.type }).toEqual({
        code: row.code,
        status: spec.status,
        type: spec.type,
      });
    }
  });
});

describe('toApiError', () => {
  const answer = (err: unknown) => {
    const e = toApiError(err);
    return e && { status: e.statusCode, type: e.type, code: e.code, message: e.message };
  };

  it("answers the client's errors with their codes, keeping the client's message", () => {
    expect(answer(new PaymentValidationError('amount: must be positive'))).toEqual({
      status: 400,
      type: 'invalid_request_error',
      code: 'validation_failed',
      message: 'amount: must be positive',
    });
    expect(answer(new PaymentNotFoundError('payment x not found'))).toMatchObject({
      status: 404,
      code: 'payment_not_found',
      message: 'payment x not found',
    });
    expect(answer(new DisputeNotFoundError('dispute dp_x not found'))).toMatchObject({
      status: 404,
      code: 'dispute_not_found',
      message: 'dispute dp_x not found',
    });
    expect(answer(new PaymentStateError('payment is failed'))).toMatchObject({
      status: 409,
      code: 'payment_state_conflict',
    });
    expect(answer(new DisputeStateError('dispute is won'))).toMatchObject({
      status: 409,
      code: 'dispute_state_conflict',
    });
    // A start not yet settled is a retry with the same key, not an unexpected 500.
    expect(answer(new PaymentPendingError('p1'))).toEqual({
      status: 503,
      type: 'api_error',
      code: 'payment_pending',
      message: 'payment p1 has not claimed its idempotency key yet; retry with the same key',
    });
  });

  it("answers a reused key with the API's own message, whatever the client said", () => {
    expect(answer(new IdempotencyKeyReusedError('this refund key was already used'))).toEqual({
      status: 422,
      type: 'idempotency_error',
      code: 'idempotency_key_reused',
      message: 'This Idempotency-Key was already used with different parameters.',
    });
  });

  it("keeps fastify's own 4xx status for a request it refuses, and leaves anything else to the 500 handler", () => {
    const refused = Object.assign(new Error('Method Not Allowed'), { statusCode: 405, code: 'FST_ERR_SOMETHING' });
    expect(answer(refused)).toEqual({
      status: 405,
      type: 'invalid_request_error',
      code: 'invalid_request',
      message: 'The request is not valid.',
    });
    expect(toApiError(new Error('boom'))).toBeUndefined();
    expect(toApiError(new ApiError('route_not_found'))).toMatchObject({ statusCode: 404, message: 'No such route.' });
  });
});
