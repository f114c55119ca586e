/**
 * Payment routes: start (idempotent by the Idempotency-Key header), read, list, and the four requests a running
 * payment accepts. Each is one PaymentsClient call; its errors become HTTP statuses in errors.ts. Every route
 * that answers with a payment accepts `?wait=` (see wait.ts).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { PaymentsClient } from '../client/payments-client';
import type { PaymentState } from '../shared/payment-types';
import {
  createPaymentBody,
  CreatePaymentHeaders,
  BEARER_AUTH,
  CardUpdateBody,
  ERROR_RESPONSES,
  IDEMPOTENCY_HEADER,
  ListPaymentsQuery,
  maskedRefund,
  maskedStatusChange,
  maskedText,
  PaymentIdParams,
  PaymentListResponse,
  PaymentResponse,
  ReasonBody,
  ReplaceCardBody,
  REPLAYED_HEADER,
  ThreeDSBody,
  WaitQuery,
  type PaymentDto,
} from './schemas';
import { apiError } from './errors';
import { readState, startWithWait, stateAfterWait, type WaitDeps } from './wait';

export interface PaymentRoutesOptions {
  payments: PaymentsClient;
  wait: WaitDeps;
  maxAmount: number;
}

export function registerPaymentRoutes(fastify: FastifyInstance, options: PaymentRoutesOptions): void {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const { payments, wait } = options;

  app.post(
    '/payments',
    {
      schema: {
        summary: 'Start a payment (idempotent by the Idempotency-Key header)',
        description:
          '201 when this key creates the payment; 200 with `Idempotent-Replayed: true` when it already did; ' +
          '422 `idempotency_key_reused` when the key was used with a different body.',
        tags: ['payments'],
        security: BEARER_AUTH,
        headers: CreatePaymentHeaders,
        querystring: WaitQuery,
        body: createPaymentBody(options.maxAmount),
        response: { 200: PaymentResponse, 201: PaymentResponse, ...ERROR_RESPONSES },
      },
      preValidation: refuseRepeatedIdempotencyKey,
    },
    async (request, reply) => {
      const idempotencyKey = request.headers[IDEMPOTENCY_HEADER];
      const started = await startWithWait(wait, { ...request.body, idempotencyKey }, request.query.wait);
      const state = await readState(wait, started.paymentId);
      reply.header('location', `/payments/${started.paymentId}`);
      if (!started.created) reply.header(REPLAYED_HEADER, 'true');
      return reply.code(started.created ? 201 : 200).send(toDto(state));
    },
  );

  app.get(
    '/payments/:id',
    {
      schema: {
        summary: 'A payment: status, customer message, attempts and audit history',
        tags: ['payments'],
        security: BEARER_AUTH,
        params: PaymentIdParams,
        querystring: WaitQuery,
        response: { 200: PaymentResponse, ...ERROR_RESPONSES },
      },
    },
    async (request) => toDto(await stateAfterWait(wait, request.params.id, request.query.wait)),
  );

  app.get(
    '/payments',
    {
      schema: {
        summary:
          'Payments in a status (e.g. dead_lettered), or all that need a person (needs=attention); eventually consistent',
        tags: ['payments'],
        security: BEARER_AUTH,
        querystring: ListPaymentsQuery,
        response: { 200: PaymentListResponse, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      const { status, limit } = request.query;
      const found = status
        ? await payments.listPayments({ status, limit })
        : await payments.listNeedingAttention({ limit });
      return { data: found.map((p) => ({ ...p, startTime: p.startTime.toISOString() })) };
    },
  );

  app.post(
    '/payments/:id/3ds',
    {
      schema: {
        summary: "Record the customer's 3DS result (normally arrives by the gateway's webhook)",
        description:
          '202 when the payment awaits this result (`requires_action`, for the charge it names); ' +
          '409 `payment_state_conflict` in any other state, including a finished payment.',
        tags: ['payment actions'],
        security: BEARER_AUTH,
        params: PaymentIdParams,
        querystring: WaitQuery,
        body: ThreeDSBody,
        response: { 202: PaymentResponse, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      await payments.submit3DS(request.params.id, request.body);
      const state = await stateAfterWait(wait, request.params.id, request.query.wait);
      return reply.code(202).send(toDto(state));
    },
  );

  app.post(
    '/payments/:id/card',
    {
      schema: {
        summary: 'Give a payment awaiting a payment method the card to charge',
        tags: ['payment actions'],
        security: BEARER_AUTH,
        params: PaymentIdParams,
        querystring: WaitQuery,
        body: ReplaceCardBody,
        response: { 200: PaymentResponse, ...ERROR_RESPONSES },
      },
    },
    async (request) => {
      await payments.replaceCard(request.params.id, request.body.paymentMethod);
      return toDto(await stateAfterWait(wait, request.params.id, request.query.wait));
    },
  );

  app.post(
    '/payments/:id/card-updates',
    {
      schema: {
        summary: "A customer portal's new card for a payment (delivered, not awaited)",
        description:
          '202 with the payment as it stands: the card is applied if the payment awaits one, else recorded in ' +
          '`ignoredCardUpdates` with the reason. A finished payment is 404 `payment_not_found`.',
        tags: ['payment actions'],
        security: BEARER_AUTH,
        params: PaymentIdParams,
        querystring: WaitQuery,
        body: CardUpdateBody,
        response: { 202: PaymentResponse, ...ERROR_RESPONSES },
      },
    },
    async (request, reply) => {
      const { paymentMethod, reference } = request.body;
      await payments.sendCardUpdate(request.params.id, { paymentMethod, source: 'customer_portal', reference });
      return reply.code(202).send(toDto(await stateAfterWait(wait, request.params.id, request.query.wait)));
    },
  );

  // Cancel and retry: an operator's request with an optional reason, answered with the payment.
  const reasonActions = [
    {
      action: 'cancel',
      summary: 'Cancel a payment that has not been charged',
      send: (id: string, reason?: string) => payments.cancel(id, reason),
    },
    {
      action: 'retry',
      summary: 'Give a dead-lettered payment a fresh retry budget',
      send: (id: string, reason?: string) => payments.retryDeadLetter(id, reason),
    },
    {
      action: 'retry-now',
      summary: 'Charge a queued (delayed) payment now instead of at its next look at the gateway',
      send: (id: string, reason?: string) => payments.retryQueuedNow(id, reason),
    },
  ] as const;
  for (const { action, summary, send } of reasonActions) {
    app.post(
      `/payments/:id/${action}`,
      {
        schema: {
          summary,
          tags: ['payment actions'],
          security: BEARER_AUTH,
          params: PaymentIdParams,
          querystring: WaitQuery,
          body: ReasonBody,
          response: { 200: PaymentResponse, ...ERROR_RESPONSES },
        },
      },
      async (request) => {
        await send(request.params.id, request.body?.reason);
        return toDto(await stateAfterWait(wait, request.params.id, request.query.wait));
      },
    );
  }
}

/**
 * preValidation hook of the routes keyed by Idempotency-Key. Node joins a repeated header into "a, b", which
 * would pass as a third key that neither copy meant; the raw headers still show every copy.
 */
export async function refuseRepeatedIdempotencyKey(request: FastifyRequest): Promise<void> {
  const raw = request.raw.rawHeaders; // [name, value, name, value, …] as received
  let copies = 0;
  for (let i = 0; i < raw.length; i += 2) if (raw[i].toLowerCase() === IDEMPOTENCY_HEADER) copies += 1;
  if (copies > 1) throw apiError('duplicate_idempotency_key');
}

/**
 * The workflow's state as the API shows it. The response schema strips anything not listed there; this copy
 * names the fields too, so a field added to the workflow state is never published by accident. `history` and
 * the refund fields are missing in the state of payments started before they existed, hence optional.
 */
export function toDto(s: PaymentState): PaymentDto {
  return {
    paymentId: s.paymentId,
    status: s.status,
    amount: s.amount,
    currency: s.currency,
    chargeId: s.chargeId,
    cardVersion: s.cardVersion,
    customerMessage: s.customerMessage,
    needsDifferentCard: s.needsDifferentCard,
    // Reasons are free text that may quote a card or ticket number (see maskedText).
    reason: maskedText(s.reason),
    attempts: s.attempts,
    history: s.history?.map(maskedStatusChange),
    amountRefunded: s.amountRefunded,
    capturedAt: s.capturedAt,
    refundableUntil: s.refundableUntil,
    refunds: s.refunds?.map(maskedRefund),
    ignoredCardUpdates: s.ignoredCardUpdates,
    queuedUntil: s.queuedUntil,
    alternativePaymentMethods: s.alternativePaymentMethods,
    ...(s.replayedFromRun ? { fromAuditTrail: true } : {}),
  };
}
