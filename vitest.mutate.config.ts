import { defineConfig } from 'vitest/config';
import base from './vitest.config.ts';

// The tests Stryker runs against each mutant (`npm run mutate`, see stryker.config.mjs): the unit
// tests of the libraries it mutates, and nothing else. The integration suites under test/src take
// minutes per run, far too long to repeat per mutant. Resolution (the @ferry/source export
// condition) and timeouts are vitest.config.ts's; `npm test` never reads this file.
// One flat run, not vitest.config.ts's unit and integration projects.
const { projects: _projects, ...shared } = base.test ?? {};

export default defineConfig({
  ...base,
  test: {
    ...shared,
    include: ['libs/sync/src/**/*.test.ts', 'libs/sources/src/**/*.test.ts'],
  },
});
