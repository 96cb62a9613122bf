import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['{generator,apps,libs,test}/**/*.test.ts'],
    exclude: ['**/node_modules/**'],
    // Tests talk to real Postgres, DuckDB and dbt: give them time, never retry flakes away.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
  },
});
