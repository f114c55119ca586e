/**
 * The durable record of accepted idempotency keys (table `idempotency_keys`, migration 003). Temporal forgets a
 * run after retention and the gateway forgets its keys after a day; this record is never deleted, so a repeat that
 * arrives later still finds the payment its key made instead of charging again.
 */
import type pino from 'pino';
import { appendEntry } from './append';
import { ROW_COLUMNS, toAuditRow, type DbRow } from './rows';
import type { AuditEntry, ClaimedAppend, KeyClaimRequest, KeyClaimResult, SqlAdapter, SqlExecutor } from './types';
import { AuditInputError, validateEntry, validatePaymentId, validateText } from './validate';

const INSERT = `INSERT INTO idempotency_keys (idempotency_key, payment_id, request_fingerprint, run_id)
  VALUES ($1, $2, $3, $4)
  ON CONFLICT (idempotency_key) DO NOTHING
  RETURNING id`;

// READ COMMITTED: a concurrent claimer's INSERT waited for ours to commit, so this statement sees the winner.
const EARLIER = `SELECT request_fingerprint, run_id FROM idempotency_keys WHERE idempotency_key = $1`;

export function createIdempotencyAudit(db: SqlAdapter, logger: pino.Logger) {
  return {
    async claimIdempotencyKey(request: KeyClaimRequest): Promise<KeyClaimResult> {
      const valid = validateClaim(request);
      return db.transaction((tx) => claimKey(tx, valid));
    },
    /**
     * One transaction: the claim, then the row only if the claim is this run's. A run that finds the key taken by
     * an earlier run writes nothing and reads back that run's trail, so two runs' rows never mix under one payment.
     */
    async appendClaimed(entry: AuditEntry, request: KeyClaimRequest): Promise<ClaimedAppend> {
      return appendRowsClaimed([entry], request);
    },
    /** appendClaimed for several rows of one payment, in order: all of them or none, with the claim. */
    async appendClaimedRows(entries: AuditEntry[], request: KeyClaimRequest): Promise<ClaimedAppend> {
      return appendRowsClaimed(entries, request);
    },
  };

  async function appendRowsClaimed(entries: AuditEntry[], request: KeyClaimRequest): Promise<ClaimedAppend> {
    // Validation first, of every row: bad input must never reach the database, not even as a failed statement.
    const valid = entries.map(validateEntry);
    const claim = validateClaim(request);
    if (valid.length === 0) throw new AuditInputError('entries', 'at least one row is needed');
    if (valid.some((v) => v.paymentId !== claim.paymentId)) {
      throw new AuditInputError('paymentId', 'the entry and the claim differ');
    }
    return db.transaction(async (tx) => {
      const result = await claimKey(tx, claim);
      if (result.claimed) {
        let inserted = false;
        for (const row of valid) inserted = (await appendEntry(tx, row, logger)).inserted || inserted;
        return { inserted, claim: result };
      }
      const sql = `SELECT ${ROW_COLUMNS} FROM payment_status WHERE payment_id = $1 ORDER BY id`;
      const trail = (await tx.query<DbRow>(sql, [claim.paymentId])).map(toAuditRow);
      return { inserted: false, claim: result, trail };
    });
  }
}

/** Inserts the claim, or reports the earlier one; runs on the caller's executor (inside its transaction). */
async function claimKey(db: SqlExecutor, request: KeyClaimRequest): Promise<KeyClaimResult> {
  const claim = validateClaim(request);
  const params = [claim.idempotencyKey, claim.paymentId, claim.fingerprint, claim.runId];
  if ((await db.query(INSERT, params)).length === 1) return { claimed: true };
  const [earlier] = await db.query<{ request_fingerprint: string; run_id: string }>(EARLIER, [claim.idempotencyKey]);
  if (!earlier) throw new Error(`idempotency key claim neither inserted nor found for payment ${claim.paymentId}`);
  if (earlier.run_id === claim.runId) return { claimed: true };
  return { claimed: false, fingerprint: earlier.request_fingerprint, runId: earlier.run_id };
}

function validateClaim(request: KeyClaimRequest): KeyClaimRequest {
  return {
    idempotencyKey: validateText('idempotencyKey', request.idempotencyKey, 255),
    paymentId: validatePaymentId(request.paymentId),
    fingerprint: validateText('fingerprint', request.fingerprint, 200),
    runId: validateText('runId', request.runId, 200),
  };
}
