/**
 * Guards the audit trail against card data. Finance can query this table freely, so a PAN or CVC written
 * here would pull the whole database into PCI scope; we refuse such metadata instead of redacting it,
 * because a caller that sends card data has a bug we want to hear about.
 */

/**
 * 13-19 digits, optionally grouped by single spaces or dashes, standing alone as a token: not glued to
 * letters, digits or `_`. Digit runs inside identifiers (`ch_1234567890123456789`, hex tokens) are not card
 * numbers, and flagging them would reject a charge id and with it the audit row of a payment that succeeded.
 */
const PAN_PATTERN = /(?<!\w)(?:\d[ -]?){12,18}\d(?!\w)/;

/** UUIDs (run ids, idempotency keys) can contain long digit runs by chance; they are never card numbers. */
const UUID_PATTERN = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

/** Key names that only ever hold card data: anything with card, cvc, cvv or number in it... */
const CARD_KEY_PATTERN = /card|cvc|cvv|number/i;

export function looksLikePan(value: string): boolean {
  return PAN_PATTERN.test(value.replace(UUID_PATTERN, ' '));
}

/** ...or `pan` as a whole word (`pan`, `panToken`, `raw_pan`), so `company` or `expand` stay allowed. */
export function isCardKey(key: string): boolean {
  if (CARD_KEY_PATTERN.test(key)) return true;
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/);
  return words.includes('pan');
}

export interface CardDataFinding {
  /** Dotted path of the offending key or value, e.g. `metadata.details.reason`. */
  path: string;
  kind: 'card_key' | 'pan_value';
}

/** Walks nested objects and arrays; returns the first finding, or undefined when the value is clean. */
export function findCardData(value: unknown, path: string): CardDataFinding | undefined {
  if (typeof value === 'string') return looksLikePan(value) ? { path, kind: 'pan_value' } : undefined;
  if (Array.isArray(value)) return firstFinding(value.map((item, i) => [`${path}[${i}]`, item] as const));
  if (value !== null && typeof value === 'object') {
    for (const key of Object.keys(value)) {
      if (isCardKey(key)) return { path: `${path}.${key}`, kind: 'card_key' };
    }
    const entries = Object.entries(value).map(([key, item]) => [`${path}.${key}`, item] as const);
    return firstFinding(entries);
  }
  return undefined;
}

function firstFinding(entries: ReadonlyArray<readonly [string, unknown]>): CardDataFinding | undefined {
  for (const [path, item] of entries) {
    const finding = findCardData(item, path);
    if (finding) return finding;
  }
  return undefined;
}
