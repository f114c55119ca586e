/** audit/, reconcile/ and config/ import without cycles: types.ts is imported by all, open.ts by none of them. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

const ROOT = path.resolve(__dirname, '..', '..');
const FOLDERS = ['audit', 'reconcile', 'config'];

/** The repository files a file imports (static, type-only and dynamic imports alike). */
function localImports(file: string): string[] {
  const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  return importedFiles
    .map((i) => i.fileName)
    .filter((name) => name.startsWith('.'))
    .map((name) => path.resolve(path.dirname(file), name))
    .map((base) => [`${base}.ts`, `${base}.js`, path.join(base, 'index.ts'), base].find((f) => existsSync(f)))
    .filter((f): f is string => f !== undefined && /\.(ts|js)$/.test(f));
}

/** Every cycle reachable from `starts`, each as the chain of files that closes it. */
function findCycles(starts: string[]): string[][] {
  const cycles: string[][] = [];
  const done = new Set<string>();
  const visit = (file: string, chain: string[]) => {
    const at = chain.indexOf(file);
    if (at >= 0) return void cycles.push([...chain.slice(at), file]);
    if (done.has(file)) return;
    localImports(file).forEach((next) => visit(next, [...chain, file]));
    done.add(file);
  };
  starts.forEach((file) => visit(file, []));
  return cycles;
}

it('has no import cycle through audit/, reconcile/ or config/', () => {
  const files = FOLDERS.flatMap((folder) =>
    readdirSync(path.join(ROOT, folder))
      .filter((name) => /\.(ts|js)$/.test(name))
      .map((name) => path.join(ROOT, folder, name)),
  );
  expect(files.length).toBeGreaterThan(15);
  const cycles = findCycles(files).map((chain) => chain.map((f) => path.relative(ROOT, f)).join(' > '));
  expect(cycles).toEqual([]);
});
