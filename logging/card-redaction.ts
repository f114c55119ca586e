/**
 * Masks anything shaped like a card number to its last four, in strings nested anywhere in a value. What
 * "shaped like a card number" means is shared/card-number.ts's alone, so logs, the codec and the audit trail
 * agree on it.
 */
import { maskCardNumbers as maskText } from '../shared/card-number';

/**
 * `maxDepth` bounds the walk: log lines can carry deep objects (errors, requests) where speed matters more, and
 * a card number is never nested deep in them. Callers that show stored data pass Infinity.
 */
export function maskCardNumbers(value: unknown, maxDepth = 6): unknown {
  return mask(value, 0, maxDepth);
}

function mask(value: unknown, depth: number, maxDepth: number): unknown {
  if (typeof value === 'string') return maskText(value);
  if (depth > maxDepth || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) return value;
  if (Array.isArray(value)) return value.map((v) => mask(v, depth + 1, maxDepth));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = mask(v, depth + 1, maxDepth);
  return out;
}
