/**
 * The one definition of "looks like a card number", for logging, the audit guard, the schemas, the codec, the
 * CLI, the sandbox gateway and workflow code. Separate copies used to disagree (12-19 vs 13-19 digits, `\b` vs
 * token boundaries, UUIDs or not): a number one layer accepted could pass another in clear, and a reason one
 * layer let through made the audit guard refuse it and fail the payment. Plain TypeScript without imports,
 * because the Temporal workflow sandbox loads it too.
 */

/**
 * 12 to 19 digits. ISO/IEC 7812 allows PANs of up to 19 digits and the shortest in use (Maestro) have 12; we
 * accept 12-digit cards as input, so detection must cover them too, or a number we charge could reach a log
 * line or the audit trail in clear. A false positive costs only a masked ticket number. No Luhn check: a
 * mistyped card number is just as sensitive as a valid one.
 */
export const CARD_NUMBER_FIELD_MESSAGE = 'card number must be 12-19 digits';

/** A card number input: the bare digits, nothing else (the API and the gateway take no grouping). */
export const CARD_NUMBER_FIELD_PATTERN = /^\d{12,19}$/;

/**
 * A card number inside free text: 12-19 digits, optionally grouped by single spaces or dashes, standing alone
 * (not glued to letters, digits or `_`), so digit runs inside identifiers (`ch_1234567890123456789`, hex
 * tokens) are left alone.
 */
const IN_TEXT = /(?<!\w)(?:\d[ -]?){11,18}\d(?!\w)/;
const IN_TEXT_ALL = new RegExp(IN_TEXT.source, 'g');

/** UUIDs (payment ids, run ids, idempotency keys) can hold long digit runs by chance; they are never cards. */
const UUID = /([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})/i;

/** Exact validation of a card number field (the input itself, not text that may contain one). */
export function isCardNumberField(value: unknown): value is string {
  return typeof value === 'string' && CARD_NUMBER_FIELD_PATTERN.test(value);
}

/** True when the text holds something shaped like a card number anywhere outside a UUID. */
export function looksLikeCardNumber(text: string): boolean {
  return outsideUuids(text).some((part) => IN_TEXT.test(part));
}

/** Every card-like digit run replaced by `****` and its last four digits (PCI DSS allows showing those). */
export function maskCardNumbers(text: string): string {
  const parts = text.split(UUID);
  // split() with a capturing group puts the UUIDs at the odd indexes: they stay as they are.
  return parts.map((part, i) => (i % 2 === 0 ? part.replace(IN_TEXT_ALL, maskedCardNumber) : part)).join('');
}

/** `****4242` for a card number, grouped or not: enough to tell cards apart, never the number. */
export function maskedCardNumber(cardNumber: string): string {
  return `****${cardNumber.replace(/\D/g, '').slice(-4)}`;
}

function outsideUuids(text: string): string[] {
  return text.split(UUID).filter((_part, i) => i % 2 === 0);
}
