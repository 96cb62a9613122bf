import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

// Tests run Ferry's TypeScript sources: every @ferry/* package maps its entry points to src/ under
// this export condition (dist/ is what Node and vendors load). Tests that start the CLI as a
// process run the built output (npm test builds it first).
const SOURCE_CONDITION = '@ferry/source';

/** A test beside the code that needs a service (Postgres, an emulator, sshd) says so in its name. */
const INTEGRATION_BESIDE_CODE = '{generator,apps,libs}/**/*.integration.test.ts';

export default defineConfig({
  // Not vite's 'module' condition: packages such as the AWS SDK (under snowflake-sdk) then resolve to
  // builds that Node cannot load.
  ssr: { resolve: { conditions: [SOURCE_CONDITION, 'node', 'development|production'] } },
  test: {
    exclude: ['**/node_modules/**', '**/dist/**'],
    // Tests talk to real Postgres, DuckDB and dbt: give them time, never retry flakes away.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // One test file per core: most of a test's time is spent waiting on Postgres, the emulators,
    // dbt or a CLI subprocess, so vitest's default (one core left free, so a single worker on a
    // 2-core machine) leaves half the machine idle. FERRY_TEST_WORKERS overrides it.
    maxWorkers: Number(process.env.FERRY_TEST_WORKERS) || availableParallelism(),
    projects: [
      {
        extends: true,
        // No service: `npx vitest run --project unit` in about a minute, with nothing started.
        test: {
          name: 'unit',
          include: ['{generator,apps,libs}/**/*.test.ts'],
          exclude: ['**/node_modules/**', '**/dist/**', INTEGRATION_BESIDE_CODE],
        },
      },
      {
        extends: true,
        // Real Postgres, emulators, sshd, dbt and the built CLI: what `npm test` starts first.
        test: { name: 'integration', include: ['test/**/*.test.ts', INTEGRATION_BESIDE_CODE] },
      },
    ],
  },
});
