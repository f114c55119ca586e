/**
 * Routes for what follows a capture: refunds of a payment (idempotent by the Idempotency-Key header, like
 * payments) and disputes (read, list, approve the gathered evidence). Disputes themselves are opened and
 * closed by the gateway's webhooks, never through this API.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { DisputesClient } from '../client/disputes-client';
import type { PaymentsClient } from '../client/payments-client';
import { refuseRepeatedIdempotencyKey, toDto } from './routes-payments';
import {
  ApproveEvidenceBody,
  CreatePaymentHeaders,
  DisputeIdParams,
  DisputeListResponse,
  DisputeResponse,
  ErrorResponse,
  IDEMPOTENCY_HEADER,
  ListDisputesQuery,
  maskedRefund,
  PaymentIdParams,
  RefundBody,
  RefundResponse,
  REPLAYED_HEADER,
} from './schemas';

const errors = { '4xx': ErrorResponse, '5xx': ErrorResponse };
const security = [{ bearerAuth: [] }];

export function registerAfterCaptureRoutes(
  fastify: FastifyInstance,
  { payments, disputes }: { payments: PaymentsClient; disputes: DisputesClient },
): void {
  const app = fastify.withTypeProvider<ZodTypeProvider>();

  app.post(
    '/payments/:id/refunds',
    {
      schema: {
        summary: 'Refund part of a succeeded payment, or (without amount) all that is left',
        description:
          'The Idempotency-Key names this refund: 201 when it is made, 200 with `Idempotent-Replayed: true` for a ' +
          'repeat (also when requests with one key race: exactly one makes the refund), 422 when the key was used ' +
          'with another amount or reason, 409 when the payment cannot refund that much.',
        tags: ['refunds'],
        security,
        headers: CreatePaymentHeaders,
        params: PaymentIdParams,
        body: RefundBody,
        response: { 200: RefundResponse, 201: RefundResponse, ...errors },
      },
      preValidation: refuseRepeatedIdempotencyKey,
    },
    async (request, reply) => {
      const requestKey = request.headers[IDEMPOTENCY_HEADER];
      // 201 or 200 from what the workflow decided, not from a read before it: racing repeats all read "new".
      const { refund, created } = await payments.requestRefund(request.params.id, { ...request.body, requestKey });
      const payment = toDto(await payments.getPayment(request.params.id));
      if (!created) reply.header(REPLAYED_HEADER, 'true');
      return reply.code(created ? 201 : 200).send({ refund: maskedRefund(refund), payment });
    },
  );

  app.get(
    '/disputes/:id',
    {
      schema: {
        summary: 'A dispute: status, deadline, gathered evidence and what is missing',
        tags: ['disputes'],
        security,
        params: DisputeIdParams,
        response: { 200: DisputeResponse, ...errors },
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
        security,
        querystring: ListDisputesQuery,
        response: { 200: DisputeListResponse, ...errors },
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
        security,
        params: DisputeIdParams,
        body: ApproveEvidenceBody,
        response: { 202: DisputeResponse, ...errors },
      },
    },
    async (request, reply) => {
      await disputes.approveEvidence(request.params.id, request.body);
      return reply.code(202).send(await disputes.getDispute(request.params.id));
    },
  );
}
