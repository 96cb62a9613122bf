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

/** A CSV stream of `count` generated records (row(1) .. row(count)), 1,000 records a chunk: bulk loads without holding them all. */
export async function* csvRows(count: number, row: (i: number) => (string | null)[]): AsyncGenerator<Buffer> {
  const chunk: string[] = [];
  for (let i = 1; i <= count; i += 1) {
    chunk.push(csvRecord(row(i)));
    if (chunk.length === 1000) yield Buffer.from(chunk.splice(0).join(''));
  }
  if (chunk.length > 0) yield Buffer.from(chunk.join(''));
}
