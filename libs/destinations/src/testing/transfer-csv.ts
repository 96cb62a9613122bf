/** One CSV field in the transfer format: NULL is empty and unquoted, anything needing it is quoted. */
export function csvField(value: string | null): string {
  if (value === null) return '';
  if (value === '' || /[",\r\n]/.test(value)) return `"${value.replaceAll('"', '""')}"`;
  return value;
}

/** One CSV record in the transfer format, with its trailing newline. */
export function csvRecord(values: readonly (string | null)[]): string {
  return `${values.map(csvField).join(',')}\n`;
}

/** A CSV stream of the given records, one chunk per record, as a source would send it. */
export async function* csvChunks(records: readonly (readonly (string | null)[])[]): AsyncGenerator<Buffer> {
  for (const record of records) yield Buffer.from(csvRecord(record));
}
