/** The start of a statement for an error message: its first line that is not a comment, cut at 120 characters. */
export function statementSummary(sql: string): string {
  const line = sql
    .split('\n')
    .map((text) => text.trim())
    .find((text) => text !== '' && !text.startsWith('--'));
  if (line === undefined) return '(empty statement)';
  return line.length > 120 ? `${line.slice(0, 117)}...` : line;
}
