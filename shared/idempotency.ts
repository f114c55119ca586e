/**
 * Gateway idempotency keys. Deterministic so that every retry of the same logical charge reuses its key,
 * and versioned so that a new card (v2, v3 ...) or a retry after a definite decline gets a fresh one
 * (a gateway replays a stored decline for a reused key, so a soft retry must not reuse it).
 */
export function gatewayChargeKey(
  paymentId: string,
  cardVersion: number,
  declinedAttempts: number,
  /** A gateway after the first of the payment's failover order: its keys name it, so each gateway has its own. */
  failoverGateway?: string,
): string {
  const base = `${paymentId}:v${cardVersion}`;
  const key = declinedAttempts === 0 ? base : `${base}:r${declinedAttempts}`;
  return failoverGateway === undefined ? key : `${key}:via-${failoverGateway}`;
}

/** Refund n of a charge (n counts from 1 in the order the payment workflow accepted them): `refund_<charge>_<n>`. */
export function gatewayRefundKey(chargeId: string, refundNumber: number): string {
  return `refund_${chargeId}_${refundNumber}`;
}

/** The charge a `gatewayRefundKey` names, for a look-up that was given only the key; undefined for another shape. */
export function chargeOfRefundKey(key: string): string | undefined {
  return /^refund_(.+)_\d+$/.exec(key)?.[1];
}
