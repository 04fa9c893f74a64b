// `pnpm fuzz [--iterations N] [--seed S] [target...]`: runs fuzz targets and prints their counts
// (JSON per target). Exits non-zero on the first broken invariant or unhandled rejection.
import { readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { FuzzTarget } from './harness.ts';

const { values, positionals } = parseArgs({
  args: process.argv.slice(2).filter((arg) => arg !== '--'),
  allowPositionals: true,
  options: { iterations: { type: 'string', default: '1000000' }, seed: { type: 'string', default: '1' } },
});

let unhandled: unknown;
process.on('unhandledRejection', (reason) => {
  unhandled = reason;
});

const here = join(dirname(fileURLToPath(import.meta.url)), 'targets');
const names = (await readdir(here))
  .filter((f) => f.endsWith('.ts'))
  .map((f) => f.replace(/\.ts$/, ''))
  .sort();
const wanted = positionals.length ? positionals : names;
for (const name of wanted) {
  if (!names.includes(name)) {
    console.error(`unknown target ${name}; targets: ${names.join(', ')}`);
    process.exit(2);
  }
  const target = (await import(pathToFileURL(join(here, `${name}.ts`)).href)).default as FuzzTarget;
  const iterations = Number(values.iterations);
  const started = performance.now();
  const result = await target.run(iterations, Number(values.seed));
  const seconds = (performance.now() - started) / 1000;
  if (unhandled !== undefined) throw new Error(`unhandled rejection during ${name}`, { cause: unhandled });
  console.log(JSON.stringify({ target: name, ...result, seconds: Number(seconds.toFixed(1)) }));
}
