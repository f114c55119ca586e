/**
 * Renders saved runs (bench/results/*.json) as markdown, without re-running anything:
 *   npx tsx bench/render.ts bench/results/a.json [b.json ...] [--update-benchmarks]
 * With --update-benchmarks the generated section of BENCHMARKS.md holds exactly the runs given, in order
 * (`npm run bench -- --update-benchmarks` instead puts its one new run on top of those already there).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { renderMarkdown, updateBenchmarksMd, type RunReport } from './lib/report';

const args = process.argv.slice(2);
const update = args.includes('--update-benchmarks');
const files = args.filter((a) => !a.startsWith('--'));
if (files.length === 0) {
  console.error('usage: npx tsx bench/render.ts <result.json>... [--update-benchmarks]');
  process.exit(2);
}
const markdown = files
  .map(
    (f) =>
      renderMarkdown(JSON.parse(readFileSync(f, 'utf8')) as RunReport) +
      `\nJSON: \`${path.relative(process.cwd(), f)}\`\n`,
  )
  .join('\n');
process.stdout.write(`${markdown}\n`);
if (update) updateBenchmarksMd(path.resolve(__dirname, '..', 'BENCHMARKS.md'), markdown, 'replace');
