/**
 * Bearer API-key auth: `Authorization: Bearer <key>`. Registered inside the plugin that holds the payment routes
 * (fastify encapsulation), so /health, /docs and the signed webhook receiver are outside it by construction.
 * It runs onRequest, before the body is read: an unauthenticated caller costs nothing and starts nothing.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { apiError, sendApiError } from './errors';

export function registerBearerAuth(app: FastifyInstance, apiKeys: readonly string[]): void {
  if (apiKeys.length === 0) throw new Error('registerBearerAuth: at least one API key is required');
  // Compare fixed-length digests in constant time, so neither a key's content nor its length leaks by timing.
  const digests = apiKeys.map(digest);
  app.addHook('onRequest', async (request, reply) => {
    const key = bearerToken(request.headers.authorization);
    if (key === undefined) {
      return sendApiError(reply, apiError('missing_api_key'));
    }
    const given = digest(key);
    // Check every key (no early exit), so the answer takes as long for the first key as for the last.
    const ok = digests.reduce((found, d) => timingSafeEqual(d, given) || found, false);
    if (!ok) {
      return sendApiError(reply, apiError('invalid_api_key'));
    }
  });
}

function bearerToken(header: string | undefined): string | undefined {
  const match = header === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}

function digest(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}
