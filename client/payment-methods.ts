/**
 * Card numbers never enter Temporal: before a payment starts (or a card is replaced) the client exchanges what the
 * caller sent for a payment-method token at the gateway, and only the token, brand and last four digits go into
 * the workflow. Raw numbers are taken only where the gateway is the sandbox (test mode); with Stripe they are
 * refused (PCI: numbers go to Stripe.js or Elements, never to us). A `tok_…` card token is exchanged everywhere.
 *
 * The exchange is idempotent: its gateway key is derived from the payment and a keyed hash of what the caller
 * sent, so a retried request stores no second card and gets the same `pm_…` back.
 */
import { createHmac } from 'node:crypto';
import type { CardSource, CreatePaymentMethodRequest, GatewayPaymentMethod } from '../gateways/port';
import { isFailureOf } from '../gateways/port';
import { ErrorType } from '../shared/errors';
import type { PaymentMethod, PaymentMethodToken } from '../shared/payment-types';
import { PaymentValidationError } from './errors';

/** The one gateway call the client makes: the configured gateway's card-for-token exchange. */
export interface PaymentMethodVault {
  /** True for the sandbox (test mode): raw card numbers are exchanged. False (Stripe): they are refused. */
  acceptsCardNumbers: boolean;
  createPaymentMethod(req: CreatePaymentMethodRequest): Promise<GatewayPaymentMethod>;
}

export const CARD_NUMBERS_REFUSED =
  'card numbers are not accepted by this gateway: collect the card with Stripe.js or Elements and send ' +
  "{ type: 'token', id: 'pm_...' }";

/** What the exchange is for: a start and a card replacement of the same payment never share a gateway key. */
export type ExchangePurpose = 'start' | 'card';

export interface ExchangeContext {
  vault: PaymentMethodVault | undefined;
  /** The client's fingerprint secret: the key holds a keyed hash of the number, never a plain one. */
  secret: string;
  paymentId: string;
  purpose: ExchangePurpose;
}

export async function toPaymentMethodToken(method: PaymentMethod, ctx: ExchangeContext): Promise<PaymentMethodToken> {
  if (method.type === 'token' && 'id' in method) return method;
  const card: CardSource = method.type === 'card' ? { number: method.number } : { token: method.token };
  const vault = ctx.vault;
  if ('number' in card && !vault?.acceptsCardNumbers) refuse(CARD_NUMBERS_REFUSED);
  if (!vault) refuse("card tokens (tok_...) need a gateway to exchange them; send { type: 'token', id: 'pm_...' }");
  const digest = createHmac('sha256', ctx.secret).update(JSON.stringify(card)).digest('hex').slice(0, 32);
  try {
    const created = await vault.createPaymentMethod({
      card,
      idempotencyKey: `pm:${ctx.paymentId}:${ctx.purpose}:${digest}`,
      metadata: { payment_id: ctx.paymentId },
    });
    return { type: 'token', id: created.id, card: created.card };
  } catch (err) {
    // The gateway refused the card itself (an unknown token, a number it does not take): the caller's input.
    if (isFailureOf(err, ErrorType.GatewayInvalidRequest) || isFailureOf(err, ErrorType.InvalidInput)) {
      refuse(`the gateway refused the payment method: ${(err as Error).message}`);
    }
    throw err;
  }
}

function refuse(message: string): never {
  throw new PaymentValidationError(`paymentMethod: ${message}`, [{ path: 'paymentMethod', message }]);
}
