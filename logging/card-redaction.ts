/** Masks anything shaped like a card number (13-19 digits, spaces or dashes allowed) to its last four. */
const PAN = /\b(?:\d[ -]?){12,18}\d\b/g;

export function maskCardNumbers(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return value.replace(PAN, (m) => `****${m.replace(/\D/g, '').slice(-4)}`);
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) return value;
  if (Array.isArray(value)) return value.map((v) => maskCardNumbers(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = maskCardNumbers(v, depth + 1);
  return out;
}
