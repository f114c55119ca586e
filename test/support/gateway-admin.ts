/** Talks to the sandbox gateway's test-only endpoints: faults, ledger, 3DS results. */
export interface LedgerCharge {
  id: string;
  idempotency_key: string;
  amount: number;
  currency: string;
  status: string;
  metadata: Record<string, string>;
}

export async function addFault(gatewayUrl: string, fault: Record<string, unknown>): Promise<void> {
  const res = await fetch(`${gatewayUrl}/_sandbox/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(fault),
  });
  if (res.status !== 201) throw new Error(`fault not accepted: ${res.status} ${await res.text()}`);
}

/** Faults scoped to one payment's gateway charge keys, and to the status checks that name them. */
export async function addFaultsFor(
  gatewayUrl: string,
  paymentId: string,
  faults: ReadonlyArray<Record<string, unknown>>,
): Promise<void> {
  for (const f of faults) {
    await addFault(gatewayUrl, { ...f, match: { idempotencyKeyPrefix: paymentId, ...(f.match as object) } });
  }
}

export async function ledgerFor(gatewayUrl: string, paymentId: string): Promise<LedgerCharge[]> {
  const res = await fetch(`${gatewayUrl}/_sandbox/ledger`);
  const body = (await res.json()) as { charges: LedgerCharge[] };
  return body.charges.filter((c) => c.metadata?.payment_id === paymentId);
}

export async function customerCompletes3DS(
  gatewayUrl: string,
  chargeId: string,
  result: 'succeeded' | 'failed',
): Promise<void> {
  const res = await fetch(`${gatewayUrl}/_sandbox/3ds/${chargeId}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ result }),
  });
  if (!res.ok) throw new Error(`3DS result not accepted: ${res.status} ${await res.text()}`);
}

export interface GatewayRequest {
  at: number;
  method: string;
  path: string;
  idempotencyKey?: string;
}

/** Every `/v1/*` request the sandbox received (faulted ones too), oldest first. */
export async function gatewayRequests(gatewayUrl: string): Promise<GatewayRequest[]> {
  const res = await fetch(`${gatewayUrl}/_sandbox/requests`);
  if (!res.ok) throw new Error(`request log not readable: ${res.status}`);
  return ((await res.json()) as { requests: GatewayRequest[] }).requests;
}

export async function clearFaults(gatewayUrl: string): Promise<void> {
  const res = await fetch(`${gatewayUrl}/_sandbox/faults`, { method: 'DELETE' });
  if (!res.ok) throw new Error(`faults not cleared: ${res.status}`);
}
