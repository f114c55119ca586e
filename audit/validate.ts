/**
 * Checks every value before it reaches the database (ids, statuses, event keys, dates, metadata with card numbers
 * masked) and the one error bad input raises, AuditInputError, which the activities turn into a non-retryable failure.
 */
import { isPaymentStatus, PAYMENT_STATUSES, type PaymentStatus } from '../shared/payment-status';
import { looksLikeCardNumber, maskCardNumbers } from '../shared/card-number';
import { PAYMENT_ID_PATTERN } from '../shared/ids';
import { findCardKey } from './card-data';
import type { AuditEntry } from './types';

const MAX_EVENT_KEY_LENGTH = 200;

/**
 * Raised for input the audit trail refuses (unknown status, malformed payment id, a card-data key in metadata).
 * Callers map it to the non-retryable `AuditRejected` failure: retrying the same input cannot succeed.
 */
export class AuditInputError extends Error {
  constructor(
    /** The offending field, e.g. `status` or `metadata.reason`, so logs point straight at the bug. */
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = 'AuditInputError';
  }
}

/** An entry checked and shaped for the INSERT; everything the database sees goes through here first. */
export interface ValidEntry {
  paymentId: string;
  eventKey: string;
  status: PaymentStatus;
  metadataJson: string;
  occurredAt: string | null;
}

export function validatePaymentId(value: unknown): string {
  if (typeof value !== 'string' || !PAYMENT_ID_PATTERN.test(value)) {
    throw new AuditInputError('paymentId', `must be a UUID (got ${describe(value)})`);
  }
  // Postgres prints UUIDs in lower case; normalising here keeps ids comparable with what we read back.
  return value.toLowerCase();
}

export function validateStatus(value: unknown): PaymentStatus {
  if (typeof value !== 'string' || !isPaymentStatus(value)) {
    throw new AuditInputError('status', `must be one of ${PAYMENT_STATUSES.join(', ')} (got ${describe(value)})`);
  }
  return value;
}

export function validateEntry(entry: AuditEntry): ValidEntry {
  return {
    paymentId: validatePaymentId(entry.paymentId),
    eventKey: validateEventKey(entry.eventKey),
    status: validateStatus(entry.status),
    metadataJson: validateMetadata(entry.metadata),
    occurredAt: validateDate('occurredAt', entry.occurredAt),
  };
}

/** The idempotency key of a write within its payment or dispute. */
export function validateEventKey(value: unknown): string {
  return validateText('eventKey', value, MAX_EVENT_KEY_LENGTH);
}

export function validateText(field: string, value: unknown, max: number): string {
  if (typeof value !== 'string' || value.length < 1 || value.length > max) {
    throw new AuditInputError(field, `must be a string of 1-${max} characters`);
  }
  return value;
}

export function validateMetadata(value: unknown): string {
  if (value === undefined) return '{}';
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new AuditInputError('metadata', 'must be a plain object');
  }
  const cardKey = findCardKey(value, 'metadata');
  if (cardKey) {
    throw new AuditInputError(
      cardKey,
      'a key reserved for card data; card numbers and CVCs must never reach the audit trail',
    );
  }
  try {
    // Values are text (reasons, error messages) that may quote a card or a ticket number: masked, not refused,
    // so a reason can never fail the write of a status that already happened. The replacer sees every string
    // after toJSON(), so dates and nested values are covered as stored.
    return JSON.stringify(value, (_key, item: unknown) => (typeof item === 'string' ? maskCardNumbers(item) : item));
  } catch (err) {
    throw new AuditInputError('metadata', `must be JSON-serialisable (${(err as Error).message})`);
  }
}

/** An optional Date as the ISO text the query binds, or null when absent. */
export function validateDate(field: string, value: unknown): string | null {
  if (value === undefined) return null;
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) {
    throw new AuditInputError(field, 'must be a valid Date');
  }
  return value.toISOString();
}

/** Short, log-safe rendering of a rejected value: never echo a long string that might itself be card data. */
function describe(value: unknown): string {
  if (typeof value !== 'string') return typeof value;
  if (looksLikeCardNumber(value)) return 'a value that looks like a card number';
  return value.length > 40 ? `a ${value.length}-character string` : JSON.stringify(value);
}
