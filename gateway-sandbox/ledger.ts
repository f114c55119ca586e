/**
 * Every charge the sandbox ever created, in creation order, plus the customers' 3DS results. In memory only:
 * the sandbox lives as long as a test run or a benchmark. Refunds and disputes live in their own stores.
 */
import { randomId } from './ids';
import type { Charge, ChargeStatus, DeclineCode, LedgerEntry, PaymentMethodDetails, ThreeDsResult } from './types';

export interface NewCharge {
  amount: number;
  currency: string;
  idempotencyKey: string;
  metadata: Record<string, string>;
  cardLast4: string;
  paymentMethodDetails: PaymentMethodDetails;
  status: ChargeStatus;
  declineCode?: DeclineCode;
}

export interface LedgerFilter {
  idempotencyKey?: string;
  status?: ChargeStatus;
  chargeId?: string;
}

export class Ledger {
  private readonly charges = new Map<string, Charge>();
  /** Idempotency key → its charges, oldest first; a key reused after expiry legitimately has several. */
  private readonly byKey = new Map<string, Charge[]>();
  private readonly threeDsResults = new Map<string, ThreeDsResult>();

  record(input: NewCharge): Charge {
    const charge: Charge = {
      id: randomId('ch'),
      object: 'charge',
      amount: input.amount,
      currency: input.currency,
      status: input.status,
      idempotency_key: input.idempotencyKey,
      metadata: input.metadata,
      card_last4: input.cardLast4,
      created: Math.floor(Date.now() / 1000),
      amount_refunded: 0,
      refunded: false,
      payment_method_details: input.paymentMethodDetails,
    };
    if (input.status === 'requires_action') charge.next_action = { type: 'three_d_secure' };
    if (input.declineCode) markFailed(charge, input.declineCode);
    this.charges.set(charge.id, charge);
    const siblings = this.byKey.get(charge.idempotency_key);
    if (siblings) siblings.push(charge);
    else this.byKey.set(charge.idempotency_key, [charge]);
    return charge;
  }

  get(id: string): Charge | undefined {
    return this.charges.get(id);
  }

  byIdempotencyKey(key: string): readonly Charge[] {
    return this.byKey.get(key) ?? [];
  }

  list(filter: LedgerFilter): LedgerEntry[] {
    const source =
      filter.idempotencyKey === undefined ? this.charges.values() : this.byIdempotencyKey(filter.idempotencyKey);
    const entries: LedgerEntry[] = [];
    for (const charge of source) {
      if (filter.status !== undefined && charge.status !== filter.status) continue;
      if (filter.chargeId !== undefined && charge.id !== filter.chargeId) continue;
      entries.push(toLedgerEntry(charge));
    }
    return entries;
  }

  succeed(charge: Charge): void {
    charge.status = 'succeeded';
    delete charge.next_action;
  }

  cancel(charge: Charge): void {
    charge.status = 'canceled';
    delete charge.next_action;
  }

  fail(charge: Charge, declineCode: DeclineCode): void {
    markFailed(charge, declineCode);
  }

  threeDsResult(chargeId: string): ThreeDsResult | undefined {
    return this.threeDsResults.get(chargeId);
  }

  setThreeDsResult(chargeId: string, result: ThreeDsResult): void {
    this.threeDsResults.set(chargeId, result);
    const charge = this.charges.get(chargeId);
    if (!charge) return;
    // The customer's answer is what the card network reports, whether or not the charge is confirmed later.
    const reported = result === 'succeeded' ? 'authenticated' : 'failed';
    charge.payment_method_details.three_d_secure = { result: reported };
  }

  /**
   * Adds a refund to the charge's refunded total. Callers check the remainder first; the throw is the last line
   * of defence for the invariant (a bug answers 500 and refunds nothing, rather than refunding too much).
   */
  addRefunded(charge: Charge, amount: number): void {
    if (!Number.isInteger(amount) || amount <= 0 || charge.amount_refunded + amount > charge.amount) {
      throw new Error(
        `refund of ${amount} would exceed charge ${charge.id} (${charge.amount_refunded}/${charge.amount})`,
      );
    }
    charge.amount_refunded += amount;
    charge.refunded = charge.amount_refunded === charge.amount;
  }

  clear(): void {
    this.charges.clear();
    this.byKey.clear();
    this.threeDsResults.clear();
  }
}

function markFailed(charge: Charge, declineCode: DeclineCode): void {
  charge.status = 'failed';
  charge.failure_code = 'card_declined';
  charge.decline_code = declineCode;
  delete charge.next_action;
}

function toLedgerEntry(charge: Charge): LedgerEntry {
  const { id, idempotency_key, amount, currency, status, card_last4, metadata, created } = charge;
  return { id, idempotency_key, amount, currency, status, card_last4, metadata, created };
}
