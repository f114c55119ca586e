/** Builds stripe-mock once into tools/bin (run before `npm test`): the Stripe adapter's contract tests need it. */
import { ToolError } from './lib/go-tools';
import { provisionStripeMock } from './lib/stripe-mock';

try {
  const started = Date.now();
  const binary = provisionStripeMock((line) => console.log(line));
  console.log(`stripe-mock ready: ${binary} (${Date.now() - started} ms)`);
} catch (err) {
  console.error(err instanceof ToolError ? `ERROR: ${err.message}` : err);
  process.exit(1);
}
