// Runs every benchmark (`pnpm bench`) or the named ones (`pnpm bench rpc-sim webrtc`): each
// writes bench/results/NAME.json and prints a readable table.
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type Benchmark, flatten } from './harness.ts';

const here = dirname(fileURLToPath(import.meta.url));
const wanted = process.argv.slice(2).filter((arg) => !arg.startsWith('-'));
const files = (await readdir(here)).filter((file) => file.endsWith('.bench.ts')).sort();
const available = files.map((file) => file.replace(/\.bench\.ts$/, ''));
const unknown = wanted.filter((name) => !available.includes(name));
if (unknown.length > 0) {
  console.error(`unknown benchmark(s): ${unknown.join(', ')}; available: ${available.join(', ')}`);
  process.exit(2);
}

await mkdir(join(here, 'results'), { recursive: true });
let failed = false;
for (const file of files) {
  const name = file.replace(/\.bench\.ts$/, '');
  if (wanted.length > 0 && !wanted.includes(name)) continue;
  const benchmark = (await import(pathToFileURL(join(here, file)).href)).default as Benchmark;
  console.log(`\n# ${benchmark.name}`);
  try {
    const started = performance.now();
    const figures = await benchmark.run();
    const result = {
      name: benchmark.name,
      date: new Date().toISOString(),
      node: process.version,
      ...figures,
    };
    await writeFile(join(here, 'results', `${benchmark.name}.json`), `${JSON.stringify(result, null, 2)}\n`);
    console.table(flatten(figures));
    console.log(
      `(${((performance.now() - started) / 1000).toFixed(1)} s, bench/results/${benchmark.name}.json)`,
    );
  } catch (error) {
    failed = true;
    console.error(`benchmark ${name} failed:`, error);
  }
}
process.exit(failed ? 1 : 0);
