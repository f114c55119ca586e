/**
 * Stripe-shaped error bodies. Every non-2xx answer of the sandbox is `{ error: { type, code?, message, ... } }`,
 * so clients can branch on `type`/`code` exactly as they would against Stripe.
 */
import type { z } from 'zod';
import { declineMessage } from './cards';
import type { DeclineCode, GatewayError, GatewayErrorBody } from './types';

/** An error answer: the HTTP status plus its body. Handlers return these; they never throw for expected cases. */
export interface ErrorReply {
  status: number;
  body: GatewayErrorBody;
}

export function errorReply(status: number, error: GatewayError): ErrorReply {
  return { status, body: { error } };
}

export function invalidRequest(message: string, code = 'parameter_invalid', param?: string): ErrorReply {
  return errorReply(400, { type: 'invalid_request_error', code, message, ...(param ? { param } : {}) });
}

/** 404 for a missing object in the path; Stripe answers 400 when the missing object was a parameter (a token). */
export function resourceMissing(message: string, status = 404): ErrorReply {
  return errorReply(status, { type: 'invalid_request_error', code: 'resource_missing', message });
}

export function cardDeclined(chargeId: string, declineCode: DeclineCode): ErrorReply {
  return errorReply(402, {
    type: 'card_error',
    code: 'card_declined',
    decline_code: declineCode,
    message: declineMessage(declineCode),
    charge: chargeId,
  });
}

/**
 * Turns the first zod issue into a Stripe-style 400: `parameter_missing` for an absent required field,
 * `parameter_invalid` otherwise, with the parameter named as Stripe does (`payment_method[number]`).
 */
export function fromZodError(error: z.ZodError): ErrorReply {
  const issue = error.issues[0];
  if (!issue) return invalidRequest('Invalid request');
  if (issue.code === 'unrecognized_keys') {
    const param = stripeParam([...issue.path, issue.keys[0] ?? '']);
    return invalidRequest(`Received unknown parameter: ${param}`, 'parameter_invalid', param);
  }
  const param = stripeParam(issue.path);
  if (issue.path.length === 0) return invalidRequest(`Invalid request body: ${issue.message}`);
  if (issue.code === 'invalid_type' && issue.input === undefined) {
    return invalidRequest(`Missing required param: ${param}.`, 'parameter_missing', param);
  }
  return invalidRequest(`Invalid ${param}: ${issue.message}`, 'parameter_invalid', param);
}

function stripeParam(path: readonly PropertyKey[]): string {
  const [head, ...rest] = path.map(String);
  return `${head ?? ''}${rest.map((part) => `[${part}]`).join('')}`;
}
