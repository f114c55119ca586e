/**
 * The API process's own Prometheus metrics (prom-client), at GET /metrics beside /health: requests by route and
 * status, and their latency. The route label is fastify's route template (`/payments/:paymentId`), never the URL,
 * so ids and query strings cannot grow the number of series; anything unmatched is `unmatched`.
 * The worker exports the payments' business metrics on its own port (workflows/metrics.ts).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export function registerApiMetrics(app: FastifyInstance): Registry {
  const registry = new Registry();
  // Node's own (event-loop lag, heap, GC), prefixed so they do not collide with the worker's in one Prometheus.
  collectDefaultMetrics({ register: registry, prefix: 'payments_api_' });
  const requests = new Counter({
    name: 'http_requests_total',
    help: 'API requests answered, by method, route template and status code',
    labelNames: ['method', 'route', 'status'],
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time from request to answer, by method and route template (a ?wait= request includes its wait)',
    labelNames: ['method', 'route'],
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  app.addHook('onResponse', async (request: FastifyRequest, reply: FastifyReply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    requests.inc({ method: request.method, route, status: String(reply.statusCode) });
    latency.observe({ method: request.method, route }, reply.elapsedTime / 1000);
  });
  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
    void reply.header('content-type', registry.contentType);
    return registry.metrics();
  });
  return registry;
}
