/**
 * The operator CLI's entry point and command table: `npm run payments -- <command>` (and `npm run pay -- ...`
 * for `pay`). What each command does is in commands.ts, refunds.ts and disputes.ts.
 *
 *   pay --amount <minor> --currency <ISO> (--card <n> | --token <pm_...>) --key <k> [--customer <id>]
 *       [--no-wait] [--timeout <s>]                 start a payment and wait until it settles
 *   status <paymentId>                              the payment's state and attempts
 *   list --status <status> [--limit <n>]            payments by status (visibility: eventually consistent)
 *   retry <paymentId> [--reason <r>]                give a dead-lettered payment a fresh retry budget
 *   retry-now <paymentId> [--reason <r>]            charge a queued (delayed) payment now instead of waiting
 *   cancel <paymentId> [--reason <r>]               cancel a payment that has not been charged
 *   card <paymentId> (--card <n> | --token <pm_...>)   the new card a payment awaiting one should charge
 *   3ds <paymentId> --result succeeded|failed [--charge <id>] [--reason <r>]
 *   refund <paymentId> --key <k> [--amount <minor>] [--reason <r>]   refund part or (no amount) the rest
 *   dispute <disputeId>                             a dispute's state and gathered evidence
 *   disputes --status <status> [--limit <n>]        disputes by status
 *   approve <disputeId> --by <name>                 approve a dispute's evidence; it is submitted at once
 *   --json (any command)                            one JSON document on stdout, for scripts
 *
 * Exit codes (ExitCode in exit.ts, also printed by --help): 0 success (pay: the payment succeeded or was
 * started with --no-wait); 1 pay: the payment failed/cancelled, is parked awaiting action, or was still running
 * at --timeout; 2 usage/validation error (bad flags, invalid payment data, idempotency key reused with other
 * parameters, invalid environment); 3 payment or dispute not found; 4 refused by the payment's (or dispute's)
 * state; 5 could not reach Temporal, or an unexpected error.
 *
 * Card numbers are printed only as their last four digits; every line is also redacted against the --card
 * values on the command line, which covers commander's own error messages.
 */
import { Client, Connection } from '@temporalio/client';
import { Command, CommanderError, Option } from 'commander';
import { config } from '../config';
import { encryptedDataConverter } from '../encryption/data-converter';
import { disputesClientOptions, gatewayExchanges, paymentsClientOptions } from '../config/client-options';
import { DISPUTE_STATUSES } from '../shared/dispute-status';
import { PAYMENT_STATUSES } from '../shared/payment-status';
import * as disputeCommands from './disputes';
import * as refundCommands from './refunds';
import { cardNumbersIn, positiveInteger, redact, type MethodFlags } from './args';
import * as commands from './commands';
import {
  classifyError,
  commanderExitCode,
  EXIT_CODES_HELP,
  ExitCode,
  TemporalUnreachableError,
  type ExitCodeValue,
} from './exit';
import type { CliIO } from './format';
import { DisputesClient } from '../client/disputes-client';
import { PaymentsClient } from '../client/payments-client';

export interface CliDeps {
  /** An already built client (tests pass the harness's). */
  client?: PaymentsClient;
  disputes?: DisputesClient;
  connectDisputes?: () => Promise<DisputesClient>;
  /** Builds the client on first use; main passes one so `--help` and flag mistakes never need a server. */
  connect?: () => Promise<PaymentsClient>;
}

type Action = (ctx: commands.CommandContext) => Promise<ExitCodeValue>;
type Runner = (cmd: Command, action: Action) => Promise<void>;

/** Runs one command line (the arguments after the script name) and returns the exit code. Never throws. */
export async function runCli(argv: string[], io: CliIO, deps: CliDeps = {}): Promise<number> {
  const cards = cardNumbersIn(argv);
  const safe: CliIO = { out: (l) => io.out(redact(l, cards)), err: (l) => io.err(redact(l, cards)) };
  let code: number = ExitCode.Ok;
  const client = once(() => resolveClient(deps));
  const disputes = once(() => resolveDisputes(deps));
  const run: Runner = async (cmd, action) => {
    const json = cmd.optsWithGlobals<{ json?: boolean }>().json === true;
    code = await action({ io: safe, json, client, disputes });
  };
  try {
    await buildProgram(safe, run).parseAsync(argv, { from: 'user' });
    return code;
  } catch (err) {
    if (err instanceof CommanderError) return commanderExitCode(err);
    return reportFailure(safe, argv.includes('--json'), err);
  }
}

function reportFailure(io: CliIO, json: boolean, err: unknown): ExitCodeValue {
  const failure = classifyError(err);
  io.err(
    json ? JSON.stringify({ error: { kind: failure.kind, message: failure.message } }) : `error: ${failure.message}`,
  );
  return failure.code;
}

function buildProgram(io: CliIO, run: Runner): Command {
  const program = new Command('payments')
    .description('Operate durable payments: start, inspect, list, retry, cancel, replace a card, record 3DS')
    .option('--json', 'print one JSON document on stdout instead of text (for scripts)')
    .exitOverride()
    .configureOutput({ writeOut: (s) => lines(s).forEach(io.out), writeErr: (s) => lines(s).forEach(io.err) })
    .showHelpAfterError('(add --help for usage)')
    .addHelpText('afterAll', EXIT_CODES_HELP);
  addPay(program, run);
  addPaymentCommands(program, run);
  addRefund(program, run);
  addDisputeCommands(program, run);
  return program;
}

/** --card or --token, as `pay` and `card` take them (commander refuses both; paymentMethodFrom, neither). */
const cardOption = () =>
  new Option('--card <number>', 'card number (only its last four digits are ever printed)').conflicts('token');
const tokenOption = () => new Option('--token <pm_...>', 'payment-method token (pm_…; tok_… is exchanged for one)');

function addPay(program: Command, run: Runner): void {
  program
    .command('pay')
    .description('start a payment and wait until it succeeds, fails or needs someone')
    .requiredOption(
      '--amount <minor-units>',
      'amount in minor units, e.g. 1999 for 19.99 USD',
      positiveInteger('--amount', undefined, ' of minor units, e.g. 1999 for 19.99'),
    )
    .requiredOption('--currency <code>', 'ISO 4217 currency code, e.g. USD')
    .addOption(cardOption())
    .addOption(tokenOption())
    .requiredOption('--key <idempotency-key>', 'the same key always names the same payment')
    .option('--customer <id>', 'customer id (searchable in Temporal)')
    .option('--trusted', 'a trusted customer: in a gateway outage the payment is queued, not failed')
    .addOption(
      new Option('--initiator <who>', 'customer (at checkout) or merchant (e.g. a subscription: soft declines retried)')
        .choices(['customer', 'merchant'])
        .default('customer'),
    )
    .option('--no-wait', 'return as soon as the payment has started')
    .option('--timeout <seconds>', 'how long to wait for the payment to settle', positiveInteger('--timeout', 3600), 30)
    .action((opts: commands.PayFlags, cmd: Command) => run(cmd, (ctx) => commands.pay(ctx, opts)));
}

function addPaymentCommands(program: Command, run: Runner): void {
  const id = ['<paymentId>', 'payment id (UUID)'] as const;
  program
    .command('status')
    .description("show a payment's state and charge attempts")
    .argument(...id)
    .action((paymentId: string, _opts: unknown, cmd: Command) => run(cmd, (ctx) => commands.status(ctx, paymentId)));
  program
    .command('list')
    .description('list payments with a status, or all that need a person (eventually consistent: seconds behind)')
    .addOption(new Option('--status <status>', 'payment status').choices(PAYMENT_STATUSES))
    .option('--needs-attention', 'dead-lettered, outcome unknown, or terminated after a charge')
    .option('--limit <n>', 'at most this many payments', positiveInteger('--limit', 1000), 100)
    .action((opts: Parameters<typeof commands.list>[1], cmd: Command) => run(cmd, (ctx) => commands.list(ctx, opts)));
  program
    .command('retry')
    .description('give a dead-lettered payment a fresh retry budget')
    .argument(...id)
    .option('--reason <text>', 'why, for the audit trail')
    .action((paymentId: string, opts: { reason?: string }, cmd: Command) =>
      run(cmd, (ctx) => commands.retry(ctx, paymentId, opts.reason)),
    );
  program
    .command('retry-now')
    .description('charge a queued (delayed) payment now instead of at its next look at the gateway')
    .argument(...id)
    .option('--reason <text>', 'why, for the log')
    .action((paymentId: string, opts: { reason?: string }, cmd: Command) =>
      run(cmd, (ctx) => commands.retryNow(ctx, paymentId, opts.reason)),
    );
  program
    .command('cancel')
    .description('cancel a payment that has not been charged')
    .argument(...id)
    .option('--reason <text>', 'why, for the audit trail')
    .action((paymentId: string, opts: { reason?: string }, cmd: Command) =>
      run(cmd, (ctx) => commands.cancel(ctx, paymentId, opts.reason)),
    );
  program
    .command('card')
    .description('give a payment awaiting a payment method the card to charge')
    .argument(...id)
    .addOption(cardOption())
    .addOption(tokenOption())
    .action((paymentId: string, opts: MethodFlags, cmd: Command) =>
      run(cmd, (ctx) => commands.card(ctx, paymentId, opts)),
    );
  program
    .command('3ds')
    .description("record the customer's 3DS result for a payment that requires action")
    .argument(...id)
    .addOption(new Option('--result <result>', '3DS outcome').choices(['succeeded', 'failed']).makeOptionMandatory())
    .option('--charge <id>', 'the charge the result is for (a result for another charge is refused)')
    .option('--reason <text>', 'why, for the audit trail')
    .action((paymentId: string, opts: commands.ThreeDSFlags, cmd: Command) =>
      run(cmd, (ctx) => commands.threeDS(ctx, paymentId, opts)),
    );
}

function addRefund(program: Command, run: Runner): void {
  program
    .command('refund')
    .description('refund part of a succeeded payment, or without --amount all that is left')
    .argument('<paymentId>', 'payment id (UUID)')
    .requiredOption('--key <refund-key>', 'idempotency key of this refund: the same key never refunds twice')
    .option('--amount <minor-units>', 'amount in minor units', positiveInteger('--amount'))
    .addOption(new Option('--reason <reason>', 'why').choices(['duplicate', 'fraudulent', 'requested_by_customer']))
    .action((paymentId: string, opts: refundCommands.RefundFlags, cmd: Command) =>
      run(cmd, (ctx) => refundCommands.refund(ctx, paymentId, opts)),
    );
}

function addDisputeCommands(program: Command, run: Runner): void {
  program
    .command('dispute')
    .description("show a dispute's state and the evidence gathered for it")
    .argument('<disputeId>', "the gateway's dispute id, e.g. dp_...")
    .action((disputeId: string, _opts: unknown, cmd: Command) =>
      run(cmd, (ctx) => disputeCommands.dispute(ctx, disputeId)),
    );
  program
    .command('disputes')
    .description('list disputes with a status')
    .addOption(new Option('--status <status>', 'dispute status').choices(DISPUTE_STATUSES).makeOptionMandatory())
    .option('--limit <n>', 'at most this many disputes', positiveInteger('--limit', 1000), 100)
    .action((opts: { status: string; limit: number }, cmd: Command) =>
      run(cmd, (ctx) => disputeCommands.disputes(ctx, opts)),
    );
  program
    .command('approve')
    .description("approve a dispute's evidence so it is submitted now rather than at the deadline")
    .argument('<disputeId>', "the gateway's dispute id")
    .requiredOption('--by <name>', 'who approves, for the audit trail')
    .action((disputeId: string, opts: { by: string }, cmd: Command) =>
      run(cmd, (ctx) => disputeCommands.approve(ctx, disputeId, opts)),
    );
}

function resolveDisputes(deps: CliDeps): Promise<DisputesClient> {
  if (deps.disputes) return Promise.resolve(deps.disputes);
  if (deps.connectDisputes) return deps.connectDisputes();
  return Promise.reject(new Error('runCli needs deps.disputes or deps.connectDisputes'));
}

function resolveClient(deps: CliDeps): Promise<PaymentsClient> {
  if (deps.client) return Promise.resolve(deps.client);
  if (deps.connect) return deps.connect();
  return Promise.reject(new Error('runCli needs deps.client or deps.connect'));
}

function once<T>(fn: () => Promise<T>): () => Promise<T> {
  let value: Promise<T> | undefined;
  return () => (value ??= fn());
}

function lines(text: string): string[] {
  return text.trimEnd().split('\n');
}

// ---- process entry point ------------------------------------------------------------------------------

async function main(): Promise<void> {
  let connection: Connection | undefined;
  const temporal = once(async () => {
    const cfg = config();
    try {
      connection = await Connection.connect({ address: cfg.TEMPORAL_ADDRESS, connectTimeout: '5s' });
    } catch (err) {
      throw new TemporalUnreachableError(
        `could not reach Temporal at ${cfg.TEMPORAL_ADDRESS}: ${(err as Error).message}`,
      );
    }
    const dataConverter = encryptedDataConverter(cfg.PAYLOAD_ENCRYPTION_KEYS);
    return { cfg, client: new Client({ connection, namespace: cfg.TEMPORAL_NAMESPACE, dataConverter }) };
  });
  const connect = async () => {
    const { cfg, client } = await temporal();
    // Cards given with --card are exchanged for a token at the configured gateway (sandbox only) before anything starts.
    const { paymentMethods, gateways } = gatewayExchanges(cfg);
    return new PaymentsClient(client, { ...paymentsClientOptions(cfg), paymentMethods, gateways });
  };
  const connectDisputes = async () => {
    const { cfg, client } = await temporal();
    return new DisputesClient(client, disputesClientOptions(cfg));
  };
  // The CLI's output is its product (tables, JSON for scripts), not logging: write it straight to the streams.
  const io: CliIO = {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
  };
  const code = await runCli(process.argv.slice(2), io, { connect, connectDisputes });
  await connection?.close();
  process.exit(code);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(`error: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(ExitCode.Unavailable);
  });
}
