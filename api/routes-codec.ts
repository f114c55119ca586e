/**
 * Temporal's remote codec protocol (POST …/encode and …/decode, Payloads as protobuf JSON), so the Temporal UI
 * and `temporal workflow show --codec-endpoint` can show the payloads our codec encrypts. Decode masks card
 * numbers before anything leaves: an operator reading a payment in the UI sees `****4242`, never the number,
 * so the endpoint reveals no more than an operator may see. Browsers may call it only from the configured
 * origins (the UI's); callers without an Origin (the CLI) are not browsers and CORS does not apply to them.
 */
import type { Payload, PayloadCodec } from '@temporalio/common';
import { METADATA_ENCODING_KEY } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { maskCardNumbers } from '../logging/card-redaction';
import { apiError, sendApiError } from './errors';

const ProtoPayloads = temporal.api.common.v1.Payloads;
const CODEC_BODY_LIMIT_BYTES = 16 * 1024 * 1024;
// Standard base64 as protobuf JSON writes bytes; anything else is refused here rather than by the decoder.
const base64 = z.string().regex(/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/, 'must be base64');
const PayloadsBody = z
  .object({
    payloads: z
      .array(z.object({ metadata: z.record(z.string(), base64).optional(), data: base64.optional() }).strict())
      .default([]),
  })
  .strict();
type PayloadsJson = z.infer<typeof PayloadsBody>;

export interface CodecRouteOptions {
  codec: PayloadCodec;
  /** Browser origins allowed to call (the Temporal UI's, e.g. http://localhost:8233). */
  allowedOrigins: readonly string[];
}

export async function codecRoutes(app: FastifyInstance, options: CodecRouteOptions): Promise<void> {
  const allowed = new Set(options.allowedOrigins);
  app.addHook('onRequest', async (request, reply) => corsGate(request, reply, allowed));
  for (const action of ['encode', 'decode'] as const) {
    app.options(`/codec/${action}`, { schema: { hide: true } }, async (_request, reply) => reply.code(204).send());
    // The UI sends whole batches of payloads; each may be up to Temporal's 2 MB blob limit.
    const routeOptions = { bodyLimit: CODEC_BODY_LIMIT_BYTES, schema: { hide: true, body: PayloadsBody } };
    app.post(`/codec/${action}`, routeOptions, async (request) => {
      const payloads = fromJson(request.body as PayloadsJson);
      const out = action === 'encode' ? await options.codec.encode(payloads) : await decode(options.codec, payloads);
      return toJson(out);
    });
  }
}

/** A browser from an origin we do not know gets 403; an allowed one gets the CORS headers it needs. */
async function corsGate(request: FastifyRequest, reply: FastifyReply, allowed: Set<string>): Promise<unknown> {
  const origin = request.headers.origin;
  if (origin === undefined) return undefined;
  if (!allowed.has(origin)) {
    return sendApiError(reply, apiError('origin_not_allowed'));
  }
  reply.header('access-control-allow-origin', origin);
  reply.header('vary', 'Origin');
  reply.header('access-control-allow-credentials', 'true');
  if (request.method === 'OPTIONS') {
    reply.header('access-control-allow-methods', 'POST, OPTIONS');
    reply.header('access-control-allow-headers', request.headers['access-control-request-headers'] ?? 'content-type');
    reply.header('access-control-max-age', '600');
  }
  return undefined;
}

async function decode(codec: PayloadCodec, payloads: Payload[]): Promise<Payload[]> {
  try {
    return (await codec.decode(payloads)).map(maskPayload);
  } catch {
    // A fixed message: a parse error would quote the payload, which may hold a card number.
    throw apiError('payload_not_decodable');
  }
}

/** JSON payloads with card numbers masked; other encodings (binary/null) as they are. */
function maskPayload(payload: Payload): Payload {
  const encoding = Buffer.from(payload.metadata?.[METADATA_ENCODING_KEY] ?? []).toString();
  if (encoding !== 'json/plain' || !payload.data) return payload;
  const value: unknown = JSON.parse(Buffer.from(payload.data).toString('utf8'));
  return { ...payload, data: Buffer.from(JSON.stringify(maskCardNumbers(value, Infinity))) };
}

function fromJson(body: PayloadsJson): Payload[] {
  try {
    return ProtoPayloads.fromObject(body).payloads;
  } catch {
    throw apiError('invalid_payloads');
  }
}

function toJson(payloads: Payload[]): unknown {
  return ProtoPayloads.toObject(ProtoPayloads.create({ payloads }), { bytes: String });
}
