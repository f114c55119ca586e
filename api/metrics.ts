/**
 * The API process's own Prometheus metrics (prom-client), at GET /metrics beside /health: requests by route and
 * status, and their latency. The route label is fastify's route template (`/payments/:paymentId`), never the URL,
 * so ids and query strings cannot grow the number of series; anything unmatched is `unmatched`.
 * The worker exports the payments' business metrics on its own port (workflows/metrics.ts).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Logger } from '../logging/logger';

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export interface ApiMetricsOptions {
  /** Payments needing a person, by reason (visibility counts), read at each scrape. */
  attention?: () => Promise<Record<string, number>>;
  logger?: Logger;
}

export function registerApiMetrics(app: FastifyInstance, options: ApiMetricsOptions = {}): Registry {
  const registry = new Registry();
  if (options.attention) registerAttentionGauge(registry, options.attention, options.logger);
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

/**
 * Open dead letters, unknown outcomes and charged terminated payments: a gauge read from Temporal's visibility at
 * scrape time, so it is the state now (the worker's counters only say how many arrived). When visibility cannot be
 * read the series are dropped for that scrape: absent means "not known", where a stale number would lie.
 */
function registerAttentionGauge(
  registry: Registry,
  count: () => Promise<Record<string, number>>,
  logger: Logger | undefined,
): void {
  new Gauge({
    name: 'payments_needing_attention',
    help: "Payments that wait for a person, by reason (PaymentStatus search attribute, this task queue's runs)",
    labelNames: ['reason'],
    registers: [registry],
    async collect() {
      this.reset();
      try {
        for (const [reason, n] of Object.entries(await count())) this.set({ reason }, n);
      } catch (err) {
        logger?.warn({ err }, 'metrics: could not count payments needing attention');
      }
    },
  });
}
