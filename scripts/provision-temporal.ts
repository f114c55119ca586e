/**
 * `npm run provision`: builds the Temporal CLI once into tools/bin (also run before start and test) and, with
 * `--with-server` (npm test, npm run provision), Temporal's own server and its SQL schema tool for the cluster.
 */
import { ToolError } from './lib/go-tools';
import { provisionTemporalCli } from './lib/temporal-cli';
import { provisionTemporalServer, SERVER_BINARY } from './lib/temporal-server';

try {
  const started = Date.now();
  const binary = provisionTemporalCli((line) => console.log(line));
  console.log(`Temporal CLI ready: ${binary} (${Date.now() - started} ms)`);
  if (process.argv.includes('--with-server')) {
    provisionTemporalServer((line) => console.log(line));
    console.log(`Temporal server ready: ${SERVER_BINARY} (${Date.now() - started} ms)`);
  }
} catch (err) {
  console.error(err instanceof ToolError ? `ERROR: ${err.message}` : err);
  process.exit(1);
}
