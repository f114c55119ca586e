/**
 * chargeWithTrail at unit level, with scripted audit and charge functions: the claim and first rows are committed
 * before anything is sent, an earlier run's key sends nothing, a capture's `succeeded` row states the charge and
 * the refund window, and a failed `succeeded` write leaves the row to the workflow instead of failing the charge.
 */
import { createChargeTrailActivities, type ChargeWithTrailInput } from '../../activities/charge-trail';
import type { RecordStatusInput, RecordStatusesInput, RecordStatusResult } from '../../activities/audit';
import type { ChargeCardInput, ChargeOutcome } from '../../activities/charges';
import { createLogger } from '../../logging/logger';
import { CHARGE_INPUT } from '../support/charge-input';

const input: ChargeWithTrailInput = {
  ...CHARGE_INPUT,
  trail: {
    first: {
      paymentId: 'pay_1',
      rows: [
        { eventKey: 'run:1:initiated', status: 'initiated', metadata: {} },
        { eventKey: 'run:2:processing', status: 'processing', metadata: { gatewayKey: 'pay_1:v1' } },
      ],
      claim: { idempotencyKey: 'k1', fingerprint: 'f1', runId: 'run' },
    },
    succeeded: { eventKey: 'run:3:succeeded', metadata: { attempt: 1 }, refundWindowMs: 60_000 },
  },
};

function scripted(opts: { first?: RecordStatusResult; charge?: () => Promise<ChargeOutcome>; failWrite?: boolean }) {
  const calls: string[] = [];
  const written: RecordStatusInput[] = [];
  const activities = createChargeTrailActivities({
    logger: createLogger({ level: 'silent', name: 'test' }),
    recordStatuses: async (req: RecordStatusesInput) => {
      calls.push(`rows:${req.rows.map((r) => r.status).join(',')}`);
      return opts.first ?? { inserted: true };
    },
    recordStatus: async (req: RecordStatusInput) => {
      calls.push(`row:${req.status}`);
      if (opts.failWrite) throw new Error('connection reset');
      written.push(req);
      return { inserted: true };
    },
    chargeCard: async (req: ChargeCardInput) => {
      calls.push(`charge:${req.gatewayKey}`);
      return (opts.charge ?? (async () => ({ status: 'succeeded', chargeId: 'ch_1', gateway: 'sandbox' })))();
    },
  });
  return { calls, written, activities };
}

describe('chargeWithTrail', () => {
  it('commits the claim and first rows, charges, then writes succeeded with the charge and its window', async () => {
    const { calls, written, activities } = scripted({});
    const before = Date.now();
    const answer = await activities.chargeWithTrail(input);
    expect(calls).toEqual(['rows:initiated,processing', 'charge:pay_1:v1', 'row:succeeded']);
    expect(answer).toMatchObject({ outcome: { status: 'succeeded', chargeId: 'ch_1' } });
    const at = 'succeededAt' in answer ? Date.parse(answer.succeededAt ?? '') : NaN;
    expect(at).toBeGreaterThanOrEqual(before);
    expect(written).toEqual([
      {
        paymentId: 'pay_1',
        eventKey: 'run:3:succeeded',
        status: 'succeeded',
        metadata: {
          attempt: 1,
          chargeId: 'ch_1',
          gateway: 'sandbox',
          refundableUntil: new Date(at + 60_000).toISOString(),
        },
      },
    ]);
  });

  it('hands the succeeded row its metric facts, the answer labelled with the gateway that captured', async () => {
    const { written, activities } = scripted({});
    const answer = { gateway: 'default', startedAtMs: 1_000 };
    const attempts = [{ outcome: 'succeeded' as const, gateway: 'default' }];
    const succeeded = { ...input.trail.succeeded, answer, answerGatewayFromCharge: true, attempts };
    await activities.chargeWithTrail({ ...input, trail: { ...input.trail, succeeded } });
    expect(written[0]).toMatchObject({ answer: { gateway: 'sandbox', startedAtMs: 1_000 }, attempts });
    // Without the flag (a run that names no gateway) the label stays as the run gave it.
    const plain = scripted({});
    await plain.activities.chargeWithTrail({
      ...input,
      trail: { ...input.trail, succeeded: { ...succeeded, answerGatewayFromCharge: false } },
    });
    expect(plain.written[0].answer).toEqual(answer);
  });

  it('sends nothing and writes nothing more when an earlier run owns the key', async () => {
    const earlier = { fingerprint: 'f1', runId: 'older', trail: [] };
    const { calls, activities } = scripted({ first: { inserted: false, earlier } });
    expect(await activities.chargeWithTrail(input)).toEqual({ earlier });
    expect(calls).toEqual(['rows:initiated,processing']);
  });

  it('leaves the row to the workflow when the charge awaits 3DS or fails', async () => {
    const threeDS = scripted({ charge: async () => ({ status: 'requires_action', chargeId: 'ch_2', gateway: 'g' }) });
    expect(await threeDS.activities.chargeWithTrail(input)).toEqual({
      outcome: { status: 'requires_action', chargeId: 'ch_2', gateway: 'g' },
    });
    expect(threeDS.calls).toEqual(['rows:initiated,processing', 'charge:pay_1:v1']);
    const declined = scripted({
      charge: async () => {
        throw new Error('card_declined');
      },
    });
    await expect(declined.activities.chargeWithTrail(input)).rejects.toThrow('card_declined');
    expect(declined.calls).toEqual(['rows:initiated,processing', 'charge:pay_1:v1']);
  });

  it('answers the capture without succeededAt when its row could not be written (the workflow writes it)', async () => {
    const { calls, activities } = scripted({ failWrite: true });
    expect(await activities.chargeWithTrail(input)).toEqual({
      outcome: { status: 'succeeded', chargeId: 'ch_1', gateway: 'sandbox' },
    });
    expect(calls).toEqual(['rows:initiated,processing', 'charge:pay_1:v1', 'row:succeeded']);
  });

  it('states no window for a run that keeps its own refund window', async () => {
    const { written, activities } = scripted({});
    const { refundWindowMs: _omitted, ...succeeded } = input.trail.succeeded;
    await activities.chargeWithTrail({ ...input, trail: { ...input.trail, succeeded } });
    expect(written[0].metadata).not.toHaveProperty('refundableUntil');
  });
});
