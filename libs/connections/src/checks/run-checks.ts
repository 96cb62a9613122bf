/** pass: works; warn: works, but not as it should (no TLS); fail: Ferry cannot sync; skip: not tried, an earlier check failed. */
export type CheckStatus = 'pass' | 'warn' | 'fail' | 'skip';

export interface CheckResult {
  /** What was checked, e.g. `authentication`, `create table`. */
  readonly name: string;
  readonly status: CheckStatus;
  /** What was seen, or the failure with what to do about it. */
  readonly detail: string;
  readonly durationMs: number;
}

/** One check: resolves to what it saw (a pass), or to a warning; throws an actionable error on failure. */
export interface CheckStep {
  readonly name: string;
  run(): Promise<string | { readonly warn: string }>;
}

/**
 * Runs the steps in order. After the first failure the rest are skipped: each needs what the
 * ones before it proved (no table can be created by a login that was refused).
 */
export async function runChecks(steps: readonly CheckStep[], onResult: (result: CheckResult) => void = () => {}): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  let failed: string | undefined;
  for (const step of steps) {
    const started = Date.now();
    let result: CheckResult;
    if (failed !== undefined) {
      result = { name: step.name, status: 'skip', detail: `not tried: ${failed} failed`, durationMs: 0 };
    } else {
      try {
        const seen = await step.run();
        result =
          typeof seen === 'string'
            ? { name: step.name, status: 'pass', detail: seen, durationMs: Date.now() - started }
            : { name: step.name, status: 'warn', detail: seen.warn, durationMs: Date.now() - started };
      } catch (error) {
        failed = step.name;
        result = { name: step.name, status: 'fail', detail: (error as Error).message, durationMs: Date.now() - started };
      }
    }
    results.push(result);
    onResult(result);
  }
  return results;
}
