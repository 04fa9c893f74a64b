/** What a benchmark file (`bench/<name>.bench.ts`) default-exports. */
export interface Benchmark {
  /** The name used by `pnpm bench NAME` and for `bench/results/NAME.json`. */
  readonly name: string;
  /** Runs the benchmark and returns its figures (numbers, or nested records of numbers). */
  run(): Promise<Record<string, unknown>>;
}

/** Identity helper that types a benchmark definition. */
export function defineBenchmark(benchmark: Benchmark): Benchmark {
  return benchmark;
}

/** Flattens nested figures into `a.b.c` keys for the readable table. */
export function flatten(value: Record<string, unknown>, prefix = ''): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    const name = prefix ? `${prefix}.${key}` : key;
    if (inner && typeof inner === 'object' && !Array.isArray(inner)) {
      Object.assign(out, flatten(inner as Record<string, unknown>, name));
    } else {
      out[name] = inner;
    }
  }
  return out;
}
