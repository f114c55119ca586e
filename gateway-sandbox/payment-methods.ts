/**
 * Stored cards (Stripe's PaymentMethods): `POST /v1/payment_methods` keeps the number here and answers a `pm_…`
 * id, its brand, last four digits and expiry; charges name the id. The number never leaves this store, so the
 * system in front of the sandbox never needs it again. In memory, like the ledger.
 */
import { cardBrand, resolveToken } from './cards';
import { randomId } from './ids';
import type { PaymentMethodObject } from './types';

interface StoredCard {
  number: string;
  view: PaymentMethodObject;
}

export interface NewCard {
  number: string;
  expMonth?: number;
  expYear?: number;
}

/** Test cards need no real expiry: Stripe's docs say "any future date", so the default is four years ahead. */
const DEFAULT_EXPIRY_YEARS = 4;

export class PaymentMethodStore {
  private readonly cards = new Map<string, StoredCard>();

  create(card: NewCard, metadata: Record<string, string>): PaymentMethodObject {
    const id = randomId('pm');
    const view: PaymentMethodObject = {
      id,
      object: 'payment_method',
      type: 'card',
      card: cardView(card),
      metadata: { ...metadata },
      created: Math.floor(Date.now() / 1000),
    };
    this.cards.set(id, { number: card.number, view });
    return copy(view);
  }

  get(id: string): PaymentMethodObject | undefined {
    const stored = this.cards.get(id);
    return stored && copy(stored.view);
  }

  /** The card number behind an id, for the charge that names it; undefined for an unknown id. */
  numberOf(id: string): string | undefined {
    return this.cards.get(id)?.number;
  }

  /** The card updater: the issuer replaced the card (new number or expiry); the id stays the same, as at Stripe. */
  replaceCard(id: string, card: NewCard): PaymentMethodObject | undefined {
    const stored = this.cards.get(id);
    if (!stored) return undefined;
    stored.number = card.number;
    stored.view.card = cardView(card);
    return copy(stored.view);
  }
}

/** A `tok_…` token's card, as the older inline charge takes it; undefined for an unknown token. */
export function cardOfToken(token: string): NewCard | undefined {
  const number = resolveToken(token);
  return number === undefined ? undefined : { number };
}

function cardView(card: NewCard): PaymentMethodObject['card'] {
  const now = new Date();
  return {
    brand: cardBrand(card.number),
    last4: card.number.slice(-4),
    exp_month: card.expMonth ?? now.getUTCMonth() + 1,
    exp_year: card.expYear ?? now.getUTCFullYear() + DEFAULT_EXPIRY_YEARS,
  };
}

function copy(view: PaymentMethodObject): PaymentMethodObject {
  return { ...view, card: { ...view.card }, metadata: { ...view.metadata } };
}
