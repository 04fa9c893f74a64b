// The short CI version of `pnpm fuzz`: every target, a few thousand inputs each.
import { readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { FuzzTarget } from './harness.ts';

const here = join(dirname(fileURLToPath(import.meta.url)), 'targets');
const names = (await readdir(here)).filter((f) => f.endsWith('.ts')).sort();

describe('fuzz targets (short run)', () => {
  for (const file of names) {
    it(file.replace(/\.ts$/, ''), async () => {
      const target = (await import(pathToFileURL(join(here, file)).href)).default as FuzzTarget;
      const result = await target.run(5000, 20261121);
      expect(result.inputs).toBe(5000);
      expect(result.refused).toBeGreaterThan(0);
    }, 120_000);
  }
});
