// Mutation testing of the sync engine and the sources (`npm run mutate`; not part of `npm test`).
// See docs/testing.md for what it covers, how long it takes and the scores it reached.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  // Only the unit tests of the mutated libraries: the integration suites (test/src) are far too
  // slow to repeat for every mutant.
  vitest: { configFile: 'vitest.mutate.config.ts' },
  coverageAnalysis: 'perTest',
  // The logic a wrong result would come from: the read window (tenant-slice.ts builds it, with
  // the tenant restriction), cursor comparison, planning, the merge (sync-model.ts) and the key
  // comparison that finds deletes: about 30 minutes here. Every file of both libraries took 53
  // minutes; docs/testing.md has the command line for that.
  mutate: [
    'libs/sync/src/cursor.ts',
    'libs/sync/src/plan.ts',
    'libs/sync/src/key-comparison.ts',
    'libs/sync/src/sync-model.ts',
    'libs/sources/src/tenant-slice.ts',
  ],
  // The sandbox is a copy of what the tests read: the libraries and the root configs. Everything
  // else (the Python venvs alone are over 1 GB) stays out; other @ferry/* packages and @ferry/test
  // resolve through the symlinked node_modules to the checkout, unmutated.
  ignorePatterns: [
    '/*',
    '!/libs',
    '!/package.json',
    '!/tsconfig.base.json',
    '!/tsconfig.lib.json',
    '!/vitest.config.ts',
    '!/vitest.mutate.config.ts',
    'dist',
  ],
  // One test process: the machine's two cores are shared, and the tests use one Postgres server.
  concurrency: 1,
  reporters: ['clear-text', 'progress', 'json'],
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  clearTextReporter: { allowColor: false, logTests: false, reportTests: false },
  // Re-tests only the mutants whose code or covering tests changed since the last run; `npm run
  // mutate -- --force` tests every mutant again.
  incremental: true,
  incrementalFile: 'reports/mutation/stryker-incremental.json',
  // The test suite's first run (Postgres databases, DuckDB, a streaming test of ~10 s) is slow on a
  // busy machine; a mutant may take that long again before it counts as timed out.
  dryRunTimeoutMinutes: 10,
  timeoutMS: 10_000,
  thresholds: { high: 80, low: 60, break: null },
};
