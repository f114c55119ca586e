/**
 * A small loopback HTTP server that answers like Stripe from recorded fixtures (test/fixtures/stripe/), for the
 * Stripe adapter's behaviour tests: stripe-mock validates requests but keeps no state, so declines, replays and
 * conflicts are scripted here. It keeps Stripe's idempotency rule: a POST under a key it has answered gets the
 * stored answer again (`Idempotent-Replayed: true`), whatever the script says next.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

export interface Fixture {
  source: string;
  status: number;
  headers?: Record<string, string>;
  body: unknown;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  /** The form body, flattened as Stripe's clients send it (`metadata[gateway_key]`, …). */
  form: URLSearchParams;
  idempotencyKey?: string;
  replayed: boolean;
}

type Answer = Fixture | 'drop';

export interface StripeStub {
  url: string;
  requests: RecordedRequest[];
  /** Queues answers for `METHOD /path` (the path without its query), used in order; the last one repeats. */
  on(route: string, ...answers: Answer[]): void;
  close(): Promise<void>;
}

const FIXTURES = path.join(__dirname, '..', 'fixtures', 'stripe');

export function fixture(name: string): Fixture {
  const parsed = JSON.parse(readFileSync(path.join(FIXTURES, `${name}.json`), 'utf8')) as Fixture;
  if (!parsed.source) throw new Error(`fixture ${name} does not say where it comes from`);
  return parsed;
}

/** A list answer (`object: list`) of the given objects, as Stripe's list and search endpoints return them. */
export function list(objects: unknown[], url: string, search = false): Fixture {
  return {
    source: 'https://docs.stripe.com/api/pagination and https://docs.stripe.com/api/pagination/search',
    status: 200,
    body: { object: search ? 'search_result' : 'list', data: objects, has_more: false, url },
  };
}

export async function startStripeStub(): Promise<StripeStub> {
  const routes = new Map<string, Answer[]>();
  const stored = new Map<string, Fixture>();
  const requests: RecordedRequest[] = [];
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://stub');
      const route = `${req.method} ${url.pathname}`;
      const key = req.headers['idempotency-key'] as string | undefined;
      const replay = req.method === 'POST' && key ? stored.get(`${route} ${key}`) : undefined;
      const base = {
        method: req.method ?? '',
        path: url.pathname,
        query: url.searchParams,
        form: new URLSearchParams(raw),
      };
      requests.push({ ...base, idempotencyKey: key, replayed: Boolean(replay) });
      const queue = routes.get(route) ?? [];
      const answer = replay ?? (queue.length > 1 ? queue.shift() : queue[0]);
      if (!answer)
        return send(res, {
          source: 'stub',
          status: 404,
          body: { error: { type: 'invalid_request_error', message: `no script for ${route}` } },
        });
      if (answer === 'drop') return res.socket?.destroy();
      // Stripe saves the result of a request that started executing, errors included, but not a 409 conflict.
      if (req.method === 'POST' && key && answer.status !== 409) stored.set(`${route} ${key}`, answer);
      send(res, answer, Boolean(replay));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    on: (route, ...answers) => routes.set(route, answers),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function send(res: http.ServerResponse, f: Fixture, replayed = false): void {
  res.writeHead(f.status, {
    'content-type': 'application/json',
    'request-id': 'req_stub',
    ...(replayed ? { 'idempotent-replayed': 'true' } : {}),
    ...f.headers,
  });
  res.end(JSON.stringify(f.body));
}
