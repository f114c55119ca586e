/**
 * Exit codes of `npm run payments` and how errors map onto them. Scripts branch on these numbers, so they are
 * part of the CLI's contract: add new ones, never renumber.
 */
import { CommanderError } from 'commander';
import { ConfigError } from '../config';
import {
  isDisputeNotFound,
  isDisputeStateConflict,
  isIdempotencyKeyReused,
  isPaymentNotFound,
  isPaymentPending,
  isPaymentStateConflict,
  isValidationError,
} from '../client/errors';

export const ExitCode = {
  /** The command did what it said; for `pay`, the payment succeeded (or was started with --no-wait). */
  Ok: 0,
  /** `pay`: the payment failed or was cancelled, is parked awaiting action, or was still running at --timeout. */
  NotSucceeded: 1,
  /** Bad flags or arguments, invalid payment data, an idempotency key reused with other parameters, bad env. */
  Usage: 2,
  /** No such payment or dispute. */
  NotFound: 3,
  /** The payment's or dispute's state refuses the request (cancel after success, a card not awaited, ...). */
  Refused: 4,
  /** Temporal could not be reached, a start not yet settled (retry with the same key), or anything unexpected. */
  Unavailable: 5,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export const EXIT_CODES_HELP = `
Exit codes:
  0  success (pay: the payment succeeded, or was started with --no-wait)
  1  pay: the payment failed or was cancelled, is parked awaiting action, or was still running at --timeout
  2  usage or validation error (bad flags, invalid payment data, idempotency key reused with other parameters)
  3  payment or dispute not found
  4  refused by the payment's state (e.g. cancelling a succeeded payment)
  5  could not reach Temporal, the payment has not claimed its key yet (retry with the same --key),
     or an unexpected error`;

/** A mistake in how the CLI was called that commander cannot see by itself (e.g. neither --card nor --token). */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** The Temporal frontend did not answer; raised by the connector so the message can name the address. */
export class TemporalUnreachableError extends Error {
  override name = 'TemporalUnreachableError';
}

export interface CliFailure {
  code: ExitCodeValue;
  kind: 'usage' | 'not_found' | 'refused' | 'unavailable' | 'unexpected';
  message: string;
}

export function classifyError(err: unknown): CliFailure {
  const message = err instanceof Error ? err.message : String(err);
  if (isIdempotencyKeyReused(err)) {
    return { code: ExitCode.Usage, kind: 'usage', message: `${message}; use a new --key for a new payment` };
  }
  if (isValidationError(err) || err instanceof UsageError || err instanceof ConfigError) {
    return { code: ExitCode.Usage, kind: 'usage', message };
  }
  if (isPaymentNotFound(err) || isDisputeNotFound(err)) return { code: ExitCode.NotFound, kind: 'not_found', message };
  if (isPaymentStateConflict(err) || isDisputeStateConflict(err)) {
    return { code: ExitCode.Refused, kind: 'refused', message };
  }
  if (isPaymentPending(err)) return { code: ExitCode.Unavailable, kind: 'unavailable', message };
  if (err instanceof TemporalUnreachableError) return { code: ExitCode.Unavailable, kind: 'unavailable', message };
  return { code: ExitCode.Unavailable, kind: 'unexpected', message: `unexpected error: ${message}` };
}

/** Commander has already printed its own message; only the exit code is left to decide. */
export function commanderExitCode(err: CommanderError): ExitCodeValue {
  return err.exitCode === 0 ? ExitCode.Ok : ExitCode.Usage;
}
