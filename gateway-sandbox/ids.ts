/** Stripe-looking object ids (`ch_…`, `evt_…`): 24 random hex characters, unique without any coordination. */
import { randomUUID } from 'node:crypto';

export function randomId(prefix: string): string {
  // randomUUID draws from a pre-filled entropy pool, so it is cheap enough for the request path.
  return `${prefix}_${randomUUID().replace(/-/g, '').slice(0, 24)}`;
}
