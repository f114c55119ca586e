/**
 * The gateway sandbox's test-control API (faults, ledger) and the duplicate-charge check: every payment that
 * succeeded must have exactly one ledger charge under its gateway key (`<paymentId>:v1`, shared/idempotency.ts).
 */
export interface LedgerCharge {
  id: string;
  idempotency_key: string;
  status: string;
  amount: number;
  metadata?: Record<string, string>;
}

export interface LedgerCheck {
  /** Payments the caller was told succeeded. */
  succeeded: number;
  /** ...of which the ledger holds exactly one charge under the payment's key. */
  exactlyOne: number;
  /** Succeeded payments with more than one charge under their key: must be 0. */
  duplicates: number;
  /** Succeeded payments with no charge at all under their key: must be 0. */
  missing: number;
  /** Highest number of charges seen under any one key of this scenario. */
  maxChargesPerKey: number;
  /** Keys of this scenario by their number of charges, e.g. `{ "1": 1000 }`. */
  chargesPerKey: Record<string, number>;
  /** Charges that exist for payments the caller did not see succeed (e.g. a baseline call that "failed" after the gateway committed). */
  chargedWithoutSuccess: number;
}

/** Counts ledger charges per idempotency key for one scenario's payments. Pure. */
export function checkLedger(
  charges: readonly LedgerCharge[],
  /** gateway key → whether the caller saw that payment succeed; only these keys are counted. */
  keys: ReadonlyMap<string, boolean>,
): LedgerCheck {
  const perKey = new Map<string, number>();
  for (const c of charges) {
    if (keys.has(c.idempotency_key)) perKey.set(c.idempotency_key, (perKey.get(c.idempotency_key) ?? 0) + 1);
  }
  const check: LedgerCheck = {
    succeeded: 0,
    exactlyOne: 0,
    duplicates: 0,
    missing: 0,
    maxChargesPerKey: 0,
    chargesPerKey: {},
    chargedWithoutSuccess: 0,
  };
  for (const [key, succeeded] of keys) {
    const n = perKey.get(key) ?? 0;
    check.maxChargesPerKey = Math.max(check.maxChargesPerKey, n);
    check.chargesPerKey[String(n)] = (check.chargesPerKey[String(n)] ?? 0) + 1;
    if (succeeded) {
      check.succeeded++;
      if (n === 1) check.exactlyOne++;
      else if (n === 0) check.missing++;
      else check.duplicates++;
    } else if (n > 0) {
      check.chargedWithoutSuccess++;
    }
  }
  return check;
}

export class GatewayAdmin {
  constructor(private readonly baseUrl: string) {}

  async addFault(fault: Record<string, unknown>): Promise<string> {
    const res = await fetch(`${this.baseUrl}/_sandbox/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(fault),
    });
    if (res.status !== 201) throw new Error(`fault not accepted: ${res.status} ${await res.text()}`);
    return ((await res.json()) as { id: string }).id;
  }

  async faults(): Promise<Array<{ id: string; kind: string; hits: number }>> {
    const res = await fetch(`${this.baseUrl}/_sandbox/faults`);
    return ((await res.json()) as { faults: Array<{ id: string; kind: string; hits: number }> }).faults;
  }

  /** The `/v1/*` requests the sandbox received (faulted ones too), oldest first; card exchanges left out. */
  async requests(): Promise<GatewayRequest[]> {
    const res = await fetch(`${this.baseUrl}/_sandbox/requests`);
    if (!res.ok) throw new Error(`requests: ${res.status}`);
    const all = ((await res.json()) as { requests: GatewayRequest[] }).requests;
    return all.filter((r) => !r.path.startsWith('/v1/payment_methods'));
  }

  async clearFaults(): Promise<void> {
    await fetch(`${this.baseUrl}/_sandbox/faults`, { method: 'DELETE' });
  }

  async ledger(status?: string): Promise<LedgerCharge[]> {
    const res = await fetch(`${this.baseUrl}/_sandbox/ledger${status ? `?status=${status}` : ''}`);
    if (!res.ok) throw new Error(`ledger: ${res.status}`);
    return ((await res.json()) as { charges: LedgerCharge[] }).charges;
  }

  /** The customer's answer to the 3DS challenge, recorded at the gateway (which a later confirm checks). */
  async customer3DS(chargeId: string, result: 'succeeded' | 'failed'): Promise<void> {
    const res = await fetch(`${this.baseUrl}/_sandbox/3ds/${chargeId}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ result }),
    });
    if (!res.ok) throw new Error(`3DS result not accepted: ${res.status} ${await res.text()}`);
  }
}

export interface GatewayRequest {
  at: number;
  method: string;
  path: string;
  idempotencyKey?: string;
}

/**
 * Charges per payment across several gateways' ledgers (failover): a payment's charges carry its id in
 * `metadata.payment_id` whichever gateway and key took them, so this counts by payment, not by key. Pure.
 */
export function checkLedgerAcross(
  ledgers: ReadonlyArray<readonly LedgerCharge[]>,
  /** payment id → whether the caller saw that payment succeed; only these payments are counted. */
  payments: ReadonlyMap<string, boolean>,
): LedgerCheck {
  const byPayment = (c: LedgerCharge) => ({ ...c, idempotency_key: c.metadata?.payment_id ?? '' });
  return checkLedger(ledgers.flat().map(byPayment), payments);
}

/** How many of these payments hold a charge in this one ledger. Pure. */
export function paymentsCharged(ledger: readonly LedgerCharge[], payments: ReadonlyMap<string, boolean>): number {
  return new Set(ledger.map((c) => c.metadata?.payment_id).filter((id) => id !== undefined && payments.has(id))).size;
}
