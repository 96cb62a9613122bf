/** Encodes rows of text values as CSV in the transfer format (NULL empty and unquoted, '' quoted). */
export async function* csvRecords(rows: Iterable<readonly (string | null)[]> | AsyncIterable<readonly (string | null)[]>): AsyncGenerator<Buffer> {
  let chunk = '';
  for await (const row of rows) {
    chunk += `${row.map(csvField).join(',')}\n`;
    if (chunk.length >= 64 * 1024) {
      yield Buffer.from(chunk);
      chunk = '';
    }
  }
  if (chunk) yield Buffer.from(chunk);
}

function csvField(value: string | null): string {
  if (value === null) return '';
  return value === '' || /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** Passes a byte stream through, reporting the running byte count (for progress) as it goes. */
export async function* countingBytes(
  stream: AsyncIterable<Buffer>,
  onBytes: (total: number) => void,
): AsyncGenerator<Buffer> {
  let total = 0;
  for await (const chunk of stream) {
    total += chunk.length;
    onBytes(total);
    yield chunk;
  }
}
