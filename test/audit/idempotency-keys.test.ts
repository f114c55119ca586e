/**
 * The durable key record (migration 003) on both backends: a key is claimed once and kept for good, an activity
 * retry is told it owns its claim, and a claim written with its status row is all or nothing.
 */
import { randomUUID } from 'node:crypto';
import type { KeyClaimRequest } from '../../audit/types';
import { AuditInputError } from '../../audit/validate';
import { BACKENDS } from './support/backends';
import { countRows, newPaymentId, useStore } from './support/fixture';

function claimFor(paymentId = newPaymentId(), over: Partial<KeyClaimRequest> = {}): KeyClaimRequest {
  return { idempotencyKey: `order-${paymentId}`, paymentId, fingerprint: 'fp-a', runId: randomUUID(), ...over };
}

describe.each(BACKENDS)('idempotency keys on %s', (backend) => {
  const fx = useStore(backend);

  it('claims a new key; the same run again is still the owner (an activity retry)', async () => {
    const claim = claimFor();
    expect(await fx.store.claimIdempotencyKey(claim)).toEqual({ claimed: true });
    expect(await fx.store.claimIdempotencyKey(claim)).toEqual({ claimed: true });
  });

  it('tells another run the earlier claim: its fingerprint and run, whatever the new fingerprint', async () => {
    const claim = claimFor();
    await fx.store.claimIdempotencyKey(claim);
    for (const fingerprint of ['fp-a', 'fp-b']) {
      expect(await fx.store.claimIdempotencyKey({ ...claim, fingerprint, runId: randomUUID() })).toEqual({
        claimed: false,
        fingerprint: 'fp-a',
        runId: claim.runId,
      });
    }
  });

  it('gives a key to exactly one of many concurrent runs', async () => {
    const paymentId = newPaymentId();
    const claims = Array.from({ length: 8 }, (_, i) => claimFor(paymentId, { fingerprint: `fp-${i}` }));
    const results = await Promise.all(claims.map((c) => fx.store.claimIdempotencyKey(c)));
    const winners = results.flatMap((r, i) => (r.claimed ? [claims[i]] : []));
    expect(winners).toHaveLength(1);
    for (const r of results) if (!r.claimed) expect(r).toEqual({ claimed: false, ...pick(winners[0]) });
  });

  it('writes the status row with the claim, and an earlier run gets the trail instead of a row', async () => {
    const claim = claimFor();
    const entry = { paymentId: claim.paymentId, eventKey: `${claim.runId}:1:initiated`, status: 'initiated' as const };
    expect(await fx.store.appendClaimed(entry, claim)).toEqual({ inserted: true, claim: { claimed: true } });
    expect(await fx.store.appendClaimed(entry, claim)).toEqual({ inserted: false, claim: { claimed: true } });
    await fx.store.append({ ...entry, eventKey: `${claim.runId}:2:succeeded`, status: 'succeeded' });

    const later = { ...claim, runId: randomUUID() };
    const answer = await fx.store.appendClaimed({ ...entry, eventKey: `${later.runId}:1:initiated` }, later);
    expect(answer).toMatchObject({
      inserted: false,
      claim: { claimed: false, fingerprint: 'fp-a', runId: claim.runId },
    });
    expect(answer.trail?.map((r) => r.status)).toEqual(['initiated', 'succeeded']);
    expect(await countRows(fx.db, claim.paymentId)).toBe(2);
  });

  it('writes several rows with the claim in order, all or none; an earlier run gets the trail and writes none', async () => {
    const claim = claimFor();
    const rows = [
      { paymentId: claim.paymentId, eventKey: `${claim.runId}:1:initiated`, status: 'initiated' as const },
      { paymentId: claim.paymentId, eventKey: `${claim.runId}:2:processing`, status: 'processing' as const },
    ];
    expect(await fx.store.appendClaimedRows(rows, claim)).toEqual({ inserted: true, claim: { claimed: true } });
    // The activity retried (its answer was lost): nothing new, still the owner.
    expect(await fx.store.appendClaimedRows(rows, claim)).toEqual({ inserted: false, claim: { claimed: true } });
    expect((await fx.store.history(claim.paymentId)).map((r) => r.status)).toEqual(['initiated', 'processing']);

    const later = { ...claim, runId: randomUUID() };
    const laterRows = rows.map((r) => ({ ...r, eventKey: r.eventKey.replace(claim.runId, later.runId) }));
    const answer = await fx.store.appendClaimedRows(laterRows, later);
    expect(answer).toMatchObject({ inserted: false, claim: { claimed: false, runId: claim.runId } });
    expect(answer.trail?.map((r) => r.status)).toEqual(['initiated', 'processing']);
    expect(await countRows(fx.db, claim.paymentId)).toBe(2);
  });

  it('writes no row and no claim when one of the rows is refused', async () => {
    const claim = claimFor();
    const rows = [
      { paymentId: claim.paymentId, eventKey: `${claim.runId}:1:initiated`, status: 'initiated' as const },
      { paymentId: claim.paymentId, eventKey: `${claim.runId}:2:processing`, status: 'no_such_status' as never },
    ];
    await expect(fx.store.appendClaimedRows(rows, claim)).rejects.toThrow(AuditInputError);
    await expect(fx.store.appendClaimedRows([], claim)).rejects.toThrow(AuditInputError);
    expect(await countRows(fx.db, claim.paymentId)).toBe(0);
    // A row already written under the same key with another status (a non-deterministic key) rolls back the rest.
    await fx.store.append({ ...rows[0], eventKey: `${claim.runId}:2:processing` });
    const clash = [rows[0], { ...rows[1], status: 'processing' as const }];
    await expect(fx.store.appendClaimedRows(clash, claim)).rejects.toThrow(AuditInputError);
    expect((await fx.store.history(claim.paymentId)).map((r) => r.eventKey)).toEqual([`${claim.runId}:2:processing`]);
    expect(await fx.store.claimIdempotencyKey({ ...claim, runId: randomUUID() })).toMatchObject({ claimed: true });
  });

  it('refuses bad input before the database, and a claim for another payment than the row', async () => {
    await expect(fx.store.claimIdempotencyKey(claimFor(undefined, { idempotencyKey: '' }))).rejects.toThrow(
      AuditInputError,
    );
    await expect(fx.store.claimIdempotencyKey(claimFor(undefined, { runId: '' }))).rejects.toThrow(/runId/);
    const claim = claimFor();
    const entry = { paymentId: newPaymentId(), eventKey: '1', status: 'initiated' as const };
    await expect(fx.store.appendClaimed(entry, claim)).rejects.toThrow(AuditInputError);
    expect(await fx.store.claimIdempotencyKey(claim)).toEqual({ claimed: true }); // nothing was claimed above
  });

  it('is append-only: UPDATE, DELETE and TRUNCATE fail, even when no row matches', async () => {
    await fx.store.claimIdempotencyKey(claimFor());
    for (const sql of [
      `UPDATE idempotency_keys SET request_fingerprint = 'x'`,
      'UPDATE idempotency_keys SET run_id = run_id WHERE false',
      'DELETE FROM idempotency_keys',
      'TRUNCATE idempotency_keys',
    ]) {
      await expect(fx.db.query(sql)).rejects.toMatchObject({ code: '23001' });
    }
    const [row] = await fx.db.query<{ n: number }>('SELECT count(*)::int AS n FROM idempotency_keys');
    expect(row.n).toBeGreaterThan(0);
  });
});

function pick(claim: KeyClaimRequest): { fingerprint: string; runId: string } {
  return { fingerprint: claim.fingerprint, runId: claim.runId };
}
