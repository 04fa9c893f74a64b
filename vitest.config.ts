import { defineConfig } from 'vitest/config';

// Tests run against the TypeScript sources (the `@meshplay/source` export condition), so no build
// is needed first; esbuild lowers the TC39 decorators.
export default defineConfig({
  resolve: { conditions: ['@meshplay/source'] },
  ssr: { resolve: { conditions: ['@meshplay/source'] } },
  esbuild: { target: 'es2022' },
  test: {
    include: [
      'packages/*/test/**/*.test.ts',
      'examples/*/test/**/*.test.ts',
      'fuzz/**/*.test.ts',
      'hardening/**/*.test.ts',
    ],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    setupFiles: ['./vitest.setup.ts'],
  },
});
