/**
 * `npm run reconcile`: compares succeeded payments in the audit trail with the gateway ledger and prints
 * every mismatch. Exit code: 0 clean, 1 mismatches found, 2 could not run (bad input, unreachable service).
 * Env: DATABASE_URL (optional; PGlite under AUDIT_DATA_DIR otherwise); GATEWAY (sandbox: GATEWAY_URL's ledger;
 * stripe: STRIPE_SECRET_KEY's account, STRIPE_API_BASE for stripe-mock).
 */
import { Command, CommanderError } from 'commander';
import pino from 'pino';
import { openAuditStore } from '../audit/open';
import { parseEnv, ReconcileEnvSchema } from '../config';
import { gatewayEnvProblems } from '../config/gateway';
import { reconcile } from '../reconcile/compare';
import { ledgerReaderFor } from '../reconcile/readers';
import { countPayments, formatMismatch, loadReconcileInput } from '../reconcile/run';

export interface ScriptIO {
  out(line: string): void;
  err(line: string): void;
}

const consoleIO: ScriptIO = { out: (line) => console.log(line), err: (line) => console.error(line) };

interface Flags {
  json?: boolean;
  since?: Date;
}

export async function main(argv: string[], env: Record<string, string | undefined>, io = consoleIO): Promise<number> {
  try {
    const flags = parseFlags(argv, io);
    const config = parseEnv(ReconcileEnvSchema, env);
    // The worker's rules: a Stripe ledger needs a key, and a live one only when that is meant.
    const problems = gatewayEnvProblems(config);
    if (problems.length > 0) throw new Error(`Invalid configuration: ${problems.join('; ')}`);
    // Logs go to stderr so `--json` output on stdout stays machine-readable.
    const logger = pino({ name: 'reconcile', level: 'warn' }, process.stderr);
    const charges = await ledgerReaderFor(config).charges();
    const store = await openAuditStore({ databaseUrl: config.DATABASE_URL, dataDir: config.AUDIT_DATA_DIR, logger });
    const input = await loadReconcileInput(store, charges, flags.since).finally(() => store.close());
    const mismatches = reconcile(input.rows, input.charges);
    const checkedPayments = countPayments(input);
    if (flags.json) {
      io.out(JSON.stringify({ clean: mismatches.length === 0, checkedPayments, mismatches }, null, 2));
    } else {
      mismatches.forEach((m) => io.out(formatMismatch(m)));
      io.out(
        `${mismatches.length === 0 ? 'clean' : `${mismatches.length} mismatch(es)`}; ${checkedPayments} payments checked`,
      );
    }
    return mismatches.length === 0 ? 0 : 1;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    io.err(`reconcile failed: ${(err as Error).message}`);
    return 2;
  }
}

function parseFlags(argv: string[], io: ScriptIO): Flags {
  const program = new Command('reconcile')
    .description('Compare succeeded payments in the audit trail with the gateway ledger')
    .option('--json', 'print the report as JSON')
    .option('--since <iso>', 'only payments with audit rows or charges at or after this time', parseSince)
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) });
  program.parse(argv, { from: 'user' });
  return program.opts<Flags>();
}

function parseSince(value: string): Date {
  const date = new Date(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(date.getTime())) {
    throw new Error(`--since must be an ISO date or timestamp, got ${JSON.stringify(value)}`);
  }
  return date;
}

if (require.main === module) {
  void main(process.argv.slice(2), process.env).then((code) => {
    process.exitCode = code;
  });
}
