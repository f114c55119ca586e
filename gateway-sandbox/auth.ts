/** API-key auth for `/v1/*`, as Stripe does it: `Authorization: Bearer <secret key>`, else 401 before anything. */
import type { FastifyInstance } from 'fastify';
import { isApiPath } from './context';
import type { GatewayErrorBody } from './types';

export function registerAuth(app: FastifyInstance, apiKeys: ReadonlySet<string>): void {
  // onRequest runs before the body is read and before faults, so an unauthenticated call costs and consumes nothing.
  app.addHook('onRequest', async (request, reply) => {
    if (!isApiPath(request.url)) return;
    const key = bearerToken(request.headers.authorization);
    if (key !== undefined && apiKeys.has(key)) return;
    return reply.code(401).send(authError(key));
  });
}

function bearerToken(header: string | undefined): string | undefined {
  const match = header === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}

function authError(key: string | undefined): GatewayErrorBody {
  const message =
    key === undefined
      ? 'You did not provide an API key. Provide it in the Authorization header as "Bearer <key>".'
      : `Invalid API Key provided: ${redact(key)}`;
  return { error: { type: 'authentication_error', code: 'invalid_api_key', message } };
}

/** Echo only the tail of a wrong key, as Stripe does, so logs and responses never carry a usable secret. */
function redact(key: string): string {
  return key.length <= 4 ? '****' : `${'*'.repeat(Math.min(key.length - 4, 20))}${key.slice(-4)}`;
}
