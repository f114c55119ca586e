/**
 * Payment ids are UUIDv5 of the caller's idempotency key: the same key always names the same payment (and so
 * the same workflow id), whatever characters the key contains, and the id fits the audit table's UUID column.
 */
import { createHash, createHmac } from 'node:crypto';

// Fixed namespace for durable-payments keys; changing it would re-map every key to a new payment.
const NAMESPACE = Buffer.from('6f1d3c2a9b8e4f7d8c5a1e2b3d4c5f6a', 'hex');

export function paymentIdFromKey(idempotencyKey: string): string {
  const hash = createHash('sha1').update(NAMESPACE).update(idempotencyKey, 'utf8').digest();
  const b = Buffer.from(hash.subarray(0, 16));
  b[6] = (b[6] & 0x0f) | 0x50; // version 5
  b[8] = (b[8] & 0x3f) | 0x80; // RFC 4122 variant
  const hex = b.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * A keyed hash of the request parameters, stored in the workflow memo, so a replay with different parameters
 * can be detected. Keyed, because a plain hash of a card number can be brute-forced.
 */
export function requestFingerprint(secret: string, params: unknown): string {
  return createHmac('sha256', secret).update(canonicalJson(params)).digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => a.localeCompare(b));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
