/** The CLI's refund and dispute commands, in process through runCli against the real stack. */
import { runCli } from '../../cli/main';
import { DisputesClient, type GatewayDispute } from '../../client/disputes-client';
import { paymentIdFromKey } from '../../client/payment-id';
import type { DisputeState } from '../../shared/dispute-types';
import { startPaymentHarness, uniqueKey, type PaymentHarness } from '../support/payment-harness';
import { eventually } from '../support/wait';

let h: PaymentHarness;
let disputes: DisputesClient;
beforeAll(async () => {
  h = await startPaymentHarness();
  disputes = new DisputesClient(h.env.client, { taskQueue: h.taskQueue, policy: { submitMarginMs: 1_000 } });
});
afterAll(async () => {
  await h?.teardown();
});

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { out: (l) => out.push(l), err: (l) => err.push(l) }, { client: h.client, disputes });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

async function paid(amount = '1000'): Promise<{ paymentId: string; chargeId: string }> {
  const key = uniqueKey('cli-cap');
  const ran = await cli('pay', '--amount', amount, '--currency', 'USD', '--card', '4242424242424242', '--key', key);
  expect(ran.code).toBe(0);
  const paymentId = paymentIdFromKey(key);
  return { paymentId, chargeId: (await h.client.getPayment(paymentId)).chargeId ?? '' };
}

describe('refund', () => {
  it('refunds part, then the rest; an over-refund exits 4 and a bad amount exits 2', async () => {
    const { paymentId } = await paid();
    const part = await cli('--json', 'refund', paymentId, '--amount', '300', '--key', uniqueKey('k1'));
    expect(part.code).toBe(0);
    expect(JSON.parse(part.out)).toMatchObject({ status: 'partially_refunded', amountRefunded: 300 });

    const over = await cli('refund', paymentId, '--amount', '800', '--key', uniqueKey('k2'));
    expect(over.code).toBe(4);
    expect(over.err).toContain('exceeds the refundable remainder of 700 USD');

    expect((await cli('refund', paymentId, '--amount', '-3', '--key', uniqueKey('k3'))).code).toBe(2);

    const rest = await cli('refund', paymentId, '--key', uniqueKey('k4'));
    expect(rest.code).toBe(0);
    expect(rest.out).toMatch(/refunded\s+1000 of 1000 USD/);
  });
});

describe('disputes', () => {
  it('shows a dispute, lists it by status, and approves its evidence', async () => {
    const { chargeId } = await paid();
    const res = await fetch(`${h.gateway.url}/_sandbox/disputes`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ charge: chargeId, reason: 'general', due_in_ms: 600_000 }),
    });
    const dispute = (await res.json()) as GatewayDispute;
    await disputes.openDispute(dispute);
    const gathered = await eventually(
      () => disputes.getDispute(dispute.id),
      (s) => s.status === 'evidence_gathered',
    );
    expect(gathered.status).toBe('evidence_gathered'); // eventually() hands back the last value on timeout

    const shown = await cli('dispute', dispute.id);
    expect(shown.code).toBe(0);
    expect(shown.out).toMatch(/status\s+evidence_gathered/);
    expect(shown.out).toContain('customer_name, customer_email_address, customer_purchase_ip');

    const listed = await eventually(
      () => cli('--json', 'disputes', '--status', 'evidence_gathered'),
      (r) => r.out.includes(dispute.id),
    );
    expect(listed.code).toBe(0);
    const rows = JSON.parse(listed.out) as Array<{ disputeId: string; status: string }>;
    expect(rows).toContainEqual(expect.objectContaining({ disputeId: dispute.id, status: 'evidence_gathered' }));

    expect((await cli('approve', dispute.id, '--by', 'ops@shop')).code).toBe(0);
    const submitted = await eventually(
      async () => JSON.parse((await cli('--json', 'dispute', dispute.id)).out) as DisputeState,
      (s) => s.status === 'submitted',
    );
    expect(submitted).toMatchObject({ status: 'submitted', approvedBy: 'ops@shop' });
    const again = await cli('approve', dispute.id, '--by', 'ops@shop');
    expect(again.code).toBe(4);
    expect((await cli('dispute', 'dp_does_not_exist')).code).toBe(3);
  });
});
