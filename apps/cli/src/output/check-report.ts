import type { CheckResult, CheckStatus } from '@ferry/connections';
import { formatDuration } from './format.ts';
import { redactSecrets } from './redact.ts';

const MARKS: Record<CheckStatus, string> = { pass: '✓', warn: '!', fail: '✗', skip: '-' };

/** One check as a line: mark, name, what was seen or what to do, time taken. */
export function checkLine(result: CheckResult): string {
  const time = result.status === 'skip' ? '' : ` (${formatDuration(result.durationMs)})`;
  return redactSecrets(`  ${MARKS[result.status]} ${result.name.padEnd(22)} ${result.detail}${time}`);
}

/** "7 passed, 1 warning, 1 failed, 2 not tried". */
export function checkSummary(results: readonly CheckResult[]): string {
  const count = (status: CheckStatus) => results.filter((r) => r.status === status).length;
  const parts = [`${count('pass')} passed`];
  if (count('warn') > 0) parts.push(`${count('warn')} warning${count('warn') === 1 ? '' : 's'}`);
  if (count('fail') > 0) parts.push(`${count('fail')} failed`);
  if (count('skip') > 0) parts.push(`${count('skip')} not tried`);
  return parts.join(', ');
}

/** Prints the summary (or every result as JSON) and sets the exit code: 1 when any check failed. */
export function reportChecks(results: readonly CheckResult[], json: boolean): void {
  if (json) console.log(redactSecrets(JSON.stringify(results, null, 2)));
  else console.log(checkSummary(results));
  if (results.some((r) => r.status === 'fail')) process.exitCode = 1;
}
