import fc from 'fast-check';

// Property tests explore new inputs on every local run. CI replays a fixed seed (FC_SEED, default
// 42) so that its verdict depends on the code alone; the long `pnpm fuzz` runs and local runs are
// where new inputs get found. A failure prints its seed: FC_SEED=<seed> replays it.
const seed = process.env.FC_SEED ?? (process.env.CI ? '42' : undefined);
if (seed !== undefined) fc.configureGlobal({ seed: Number(seed) });
