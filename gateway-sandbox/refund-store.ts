/**
 * Every refund the sandbox ever made, in creation order, indexed by charge and by idempotency key: the two ways a
 * client finds a refund whose creating response it never saw. In memory only, like the ledger.
 */
import { randomId } from './ids';
import type { Charge, Refund, RefundReason } from './types';

export interface NewRefund {
  charge: Charge;
  amount: number;
  reason: RefundReason | null;
  idempotencyKey: string;
  metadata: Record<string, string>;
}

export interface RefundFilter {
  chargeId?: string;
  idempotencyKey?: string;
}

export class RefundStore {
  private readonly refunds = new Map<string, Refund>();
  private readonly byCharge = new Map<string, Refund[]>();
  /** A key reused after it expired legitimately has several refunds, oldest first. */
  private readonly byKey = new Map<string, Refund[]>();

  /** Records a refund; the caller has already checked and updated the charge's refunded total. */
  record(input: NewRefund): Refund {
    const refund: Refund = {
      id: randomId('re'),
      object: 'refund',
      charge: input.charge.id,
      amount: input.amount,
      currency: input.charge.currency,
      status: 'succeeded',
      reason: input.reason,
      idempotency_key: input.idempotencyKey,
      metadata: input.metadata,
      created: Math.floor(Date.now() / 1000),
    };
    this.refunds.set(refund.id, refund);
    append(this.byCharge, refund.charge, refund);
    append(this.byKey, refund.idempotency_key, refund);
    return refund;
  }

  get(id: string): Refund | undefined {
    return this.refunds.get(id);
  }

  /** Refunds matching every given filter, in creation order; all refunds when none is given. */
  list(filter: RefundFilter): Refund[] {
    const source =
      filter.idempotencyKey !== undefined
        ? (this.byKey.get(filter.idempotencyKey) ?? [])
        : filter.chargeId !== undefined
          ? (this.byCharge.get(filter.chargeId) ?? [])
          : [...this.refunds.values()];
    return source.filter((refund) => filter.chargeId === undefined || refund.charge === filter.chargeId);
  }

  clear(): void {
    this.refunds.clear();
    this.byCharge.clear();
    this.byKey.clear();
  }
}

function append<T>(index: Map<string, T[]>, key: string, value: T): void {
  const values = index.get(key);
  if (values) values.push(value);
  else index.set(key, [value]);
}
