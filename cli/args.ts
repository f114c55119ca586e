/** Flag parsing the CLI needs beyond commander's defaults: strict integers and card numbers that never leak. */
import { InvalidArgumentError } from 'commander';
import { isCardNumberField, maskCardNumbers, maskedCardNumber } from '../shared/card-number';
import type { PaymentMethod } from '../shared/payment-types';
import { UsageError } from './exit';

/**
 * A commander argParser for a whole number in [1, max]. Number() and parseInt() both accept too much
 * ('1e3', '12abc', ' 7'), so the text itself must be nothing but digits.
 */
export function positiveInteger(what: string, max = Number.MAX_SAFE_INTEGER, hint = ''): (value: string) => number {
  return (value) => {
    if (!/^\d+$/.test(value)) throw new InvalidArgumentError(`${what} must be a positive whole number${hint}.`);
    const n = Number(value);
    if (!Number.isSafeInteger(n) || n < 1 || n > max) {
      throw new InvalidArgumentError(`${what} must be between 1 and ${max}.`);
    }
    return n;
  };
}

export interface MethodFlags {
  card?: string;
  token?: string;
}

/** --card or --token, exactly one (commander rejects both; neither is ours to catch). */
export function paymentMethodFrom(flags: MethodFlags): PaymentMethod {
  if (flags.card !== undefined) return { type: 'card', number: flags.card };
  if (flags.token?.startsWith('pm_')) return { type: 'token', id: flags.token };
  if (flags.token !== undefined) return { type: 'token', token: flags.token };
  throw new UsageError('give the payment method with --card <number> (sandbox only) or --token <pm_...>');
}

/** '****4242': enough for an operator to tell cards apart, never the number (PCI DSS allows the last four). */
function maskCard(number: string): string {
  return maskedCardNumber(number);
}

/** A card or token as a person reads it: `card ****4242` or the token. */
export function methodText(pm: PaymentMethod): string {
  if (pm.type === 'card') return `card ${maskCard(pm.number)}`;
  return 'id' in pm ? pm.id : pm.token;
}

/** A card or token as it may be printed in JSON. */
export function describeMethod(
  pm: PaymentMethod,
): { type: 'card'; last4: string } | { type: 'token'; token: string } | { type: 'token'; id: string } {
  if (pm.type === 'card') return { type: 'card', last4: pm.number.slice(-4) };
  return 'id' in pm ? { type: 'token', id: pm.id } : pm;
}

const NUMERIC_FLAGS = new Set(['--amount', '--limit', '--timeout']);

/**
 * The card numbers on a command line, found before commander parses it: commander echoes some arguments back
 * in its error messages (an unknown command, for one), and redaction has to cover those lines too. That is
 * every --card value (valid or not), plus any bare argument that is a card number (shared/card-number.ts).
 */
export function cardNumbersIn(argv: readonly string[]): string[] {
  const found: string[] = [];
  argv.forEach((arg, i) => {
    const previous = argv[i - 1] ?? '';
    if (previous === '--card') found.push(arg);
    else if (arg.startsWith('--card=')) found.push(arg.slice('--card='.length));
    else if (isCardNumberField(arg) && !NUMERIC_FLAGS.has(previous)) found.push(arg);
  });
  // Short values cannot be card numbers, and replacing them would mangle unrelated output such as amounts.
  return found.filter((v) => v.length >= 8);
}

/**
 * Replaces every given card number in a line with its masked form, then anything else card-shaped: a number
 * quoted in a reason, or one that came back from a server.
 */
export function redact(line: string, cardNumbers: readonly string[]): string {
  return maskCardNumbers(cardNumbers.reduce((text, number) => text.split(number).join(maskCard(number)), line));
}
