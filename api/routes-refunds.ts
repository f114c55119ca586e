/**
 * `POST /payments/:id/refunds`: refund part or the rest of a succeeded payment, idempotent by the
 * Idempotency-Key header like payments. One PaymentsClient call; its errors become HTTP statuses in errors.ts.
 */
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { PaymentsClient } from '../client/payments-client';
import { refuseRepeatedIdempotencyKey, toDto } from './routes-payments';
import {
  BEARER_AUTH,
  CreatePaymentHeaders,
  ERROR_RESPONSES,
  IDEMPOTENCY_HEADER,
  maskedRefund,
  PaymentIdParams,
  RefundBody,
  RefundResponse,
  REPLAYED_HEADER,
} from './schemas';

export function registerRefundRoutes(fastify: FastifyInstance, { payments }: { payments: PaymentsClient }): void {
  fastify.withTypeProvider<ZodTypeProvider>().post(
    '/payments/:id/refunds',
    {
      schema: {
        summary: 'Refund part of a succeeded payment, or (without amount) all that is left',
        description:
          'The Idempotency-Key names this refund: 201 when it is made, 200 with `Idempotent-Replayed: true` for a ' +
          'repeat (also when requests with one key race: exactly one makes the refund), 422 when the key was used ' +
          'with another amount or reason, 409 when the payment cannot refund that much.',
        tags: ['refunds'],
        security: BEARER_AUTH,
        headers: CreatePaymentHeaders,
        params: PaymentIdParams,
        body: RefundBody,
        response: { 200: RefundResponse, 201: RefundResponse, ...ERROR_RESPONSES },
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
}
