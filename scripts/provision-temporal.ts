/** `npm run provision`: builds the Temporal CLI once into tools/bin (also run before start and test). */
import { ToolError } from './lib/go-tools';
import { provisionTemporalCli } from './lib/temporal-cli';

try {
  const started = Date.now();
  const binary = provisionTemporalCli((line) => console.log(line));
  console.log(`Temporal CLI ready: ${binary} (${Date.now() - started} ms)`);
} catch (err) {
  console.error(err instanceof ToolError ? `ERROR: ${err.message}` : err);
  process.exit(1);
}
