/**
 * CLI commands for disputes: show one, list by status, approve the gathered evidence. Same contract as
 * commands.ts: each returns its exit code and throws for exit.ts to map. Disputes are opened by webhooks only.
 */
import type { DisputeState, DisputeTermination } from '../shared/dispute-types';
import type { CommandContext } from './commands';
import { ExitCode, type ExitCodeValue } from './exit';
import { amount, emit, fields, table } from './format';

export async function dispute(ctx: CommandContext, disputeId: string): Promise<ExitCodeValue> {
  const state = await (await ctx.disputes()).getDispute(disputeId);
  emit(ctx.io, ctx.json, { human: disputeLines(state), json: state });
  return ExitCode.Ok;
}

export async function disputes(ctx: CommandContext, flags: { status: string; limit: number }): Promise<ExitCodeValue> {
  const found = await (await ctx.disputes()).listDisputes(flags);
  const rows = found.map((d) => [d.disputeId, d.status, d.startTime.toISOString()]);
  emit(ctx.io, ctx.json, {
    human: rows.length ? table(['DISPUTE ID', 'STATUS', 'OPENED'], rows) : [`no disputes with status ${flags.status}`],
    json: found.map((d) => ({ ...d, startTime: d.startTime.toISOString() })),
  });
  return ExitCode.Ok;
}

export async function approve(ctx: CommandContext, disputeId: string, flags: { by: string }): Promise<ExitCodeValue> {
  await (await ctx.disputes()).approveEvidence(disputeId, { approvedBy: flags.by });
  emit(ctx.io, ctx.json, {
    human: [`evidence of dispute ${disputeId} approved by ${flags.by}; it is submitted next`],
    json: { disputeId, approvedBy: flags.by },
  });
  return ExitCode.Ok;
}

function disputeLines(d: DisputeState): string[] {
  return [
    ...fields([
      ['dispute', d.disputeId],
      ['status', d.status],
      ['reason', d.reason],
      ['amount', amount(d.amount, d.currency)],
      ['payment', d.paymentId],
      ['charge', d.chargeId],
      ['evidence due', d.dueBy],
      ['auto-submit at', d.submittedAt || d.needsAttention ? undefined : d.submitBy],
      ['submitted', d.submittedAt],
      ['approved by', d.approvedBy],
      ['missing', d.missingEvidence.join(', ') || undefined],
      ['terminated', d.terminated ? terminationText(d.terminated) : undefined],
      ['needs attention', d.needsAttention ? 'yes: could not be resumed after termination' : undefined],
    ]),
    '',
    ...table(
      ['EVIDENCE', 'VALUE'],
      Object.entries(d.evidence).map(([k, v]) => [k, v.replace(/\s+/g, ' ').slice(0, 100)]),
    ),
  ];
}

function terminationText(t: DisputeTermination): string {
  return `${t.at} by ${t.requestedBy ?? t.by} (run ${t.runId}): ${t.reason}`;
}
