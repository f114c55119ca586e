/**
 * Guards the audit trail against card data. Finance can query this table freely, so a PAN or CVC written here
 * would pull the whole database into PCI scope. Card-like digit runs in values are masked (validate.ts, with
 * shared/card-number.ts's one definition): they are mostly operator text such as a reason quoting a ticket
 * number, and refusing them failed the payment's run. Keys that only ever hold card data are found here.
 */

/** Words that name card secrets wherever they appear in a key: `cvc`, `panToken`, `raw_pan`, `cardholderName`. */
const SECRET_WORDS = new Set(['pan', 'cvc', 'cvc2', 'cvv', 'cvv2', 'cardholder']);
/** Keys that are card data on their own, but not as a part of another name (`cardVersion`, `refundNumber`). */
const SECRET_ALONE = new Set(['card', 'number']);
/** Adjacent words that name card data: `cardNumber`, `card_holder`, `accountNumber`. */
const SECRET_PAIRS = new Set(['card number', 'card holder', 'account number']);

/**
 * True for key names that only ever hold card data. Deliberately narrow, by whole words: `keyVersion`,
 * `cardVersion`, `cardBrand`, `card_last4`, `refundNumber`, `company` or `span` are ordinary metadata.
 */
export function isCardKey(key: string): boolean {
  const words = keyWords(key);
  if (words.some((word) => SECRET_WORDS.has(word))) return true;
  if (words.length === 1 && SECRET_ALONE.has(words[0])) return true;
  return words.some((word, i) => i > 0 && SECRET_PAIRS.has(`${words[i - 1]} ${word}`));
}

/** `cardNumber`, `card_number`, `PANToken` → lower-case words. */
function keyWords(key: string): string[] {
  return key
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((word) => word !== '');
}

/** Dotted path of the first card-data key in nested objects and arrays (`metadata.details[0].cvc`), if any. */
export function findCardKey(value: unknown, path: string): string | undefined {
  for (const [childPath, key, child] of children(value, path)) {
    if (key !== undefined && isCardKey(key)) return childPath;
    const found = findCardKey(child, childPath);
    if (found) return found;
  }
  return undefined;
}

/**
 * The value without its card-data keys, and the paths of those removed: what a writer that must never fail
 * (the audit activity) stores instead of having the whole row refused.
 */
export function withoutCardKeys<T>(value: T, path: string): { value: T; removed: string[] } {
  const removed: string[] = [];
  const strip = (v: unknown, at: string): unknown => {
    if (Array.isArray(v)) return v.map((item, i) => strip(item, `${at}[${i}]`));
    if (!isPlainObject(v)) return v;
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(v)) {
      if (isCardKey(key)) removed.push(`${at}.${key}`);
      else out[key] = strip(item, `${at}.${key}`);
    }
    return out;
  };
  return { value: strip(value, path) as T, removed };
}

function children(value: unknown, path: string): Array<[string, string | undefined, unknown]> {
  if (Array.isArray(value)) return value.map((item, i) => [`${path}[${i}]`, undefined, item]);
  if (!isPlainObject(value)) return [];
  return Object.entries(value).map(([key, item]) => [`${path}.${key}`, key, item]);
}

/** Objects whose own keys JSON.stringify writes; Dates and the like serialise to strings and are left as they are. */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}
