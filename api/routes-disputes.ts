/**
 * Dispute routes: read one, list by status, approve the gathered evidence. Disputes themselves are opened and
 * closed by the gateway's webhooks (webhook-handlers.ts), never through these routes.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { DisputesClient } from '../client/disputes-client';
import {
  ApproveEvidenceBody,
  BEARER_AUTH,
  DisputeIdParams,
  DisputeListResponse,
  DisputeResponse,
  ERROR_RESPONSES,
  ListDisputesQuery,
} from './schemas';

export function registerDisputeRoutes(fastify: FastifyInstance, { disputes }: { disputes: DisputesClient }): void {
  const app = fastify.withTypeProvider<ZodTypeProvider>();

  app.get(
    '/disputes/:id',
    {
      schema: {
        summary: 'A dispute: status, deadline, gathered evidence and what is missing',
        tags: ['disputes'],
        security: BEARER_AUTH,
        params: DisputeIdParams,
        response: { 200: DisputeResponse, ...ERROR_RESPONSES },
      },
    },
    async (request) => disputes.getDispute(request.params.id),
  );

  app.get(
    '/disputes',
    {
      schema: {
        summary: 'Disputes in a status (e.g. evidence_gathered); eventually consistent',
        tags: ['disputes'],
        security: BEARER_AUTH,
        querystring: ListDisputesQuery,
        response: { 200: DisputeListResponse, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const found = await disputes.listDisputes(request.query);
      return { data: found.map((d) => ({ ...d, startTime: d.startTime.toISOString() })) };
    },
  );

  app.post(
    '/disputes/:id/approve',
    {
      schema: {
        summary: "Approve a dispute's evidence (optionally adding fields): it is submitted now, not at the deadline",
        tags: ['disputes'],
        security: BEARER_AUTH,
        params: DisputeIdParams,
        body: ApproveEvidenceBody,
        response: { 202: DisputeResponse, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      await disputes.approveEvidence(request.params.id, request.body);
      return reply.code(202).send(await disputes.getDispute(request.params.id));
    },
  );
}
