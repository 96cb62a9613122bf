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

/** What has passed so far: bytes, and records (lines: a record with a quoted line break counts twice). */
export interface StreamProgress {
  readonly bytes: number;
  readonly rows: number;
}

/** Passes a CSV stream through, reporting the running byte and line counts (for progress) as it goes. */
export async function* countingBytes(stream: AsyncIterable<Buffer>, onProgress: (progress: StreamProgress) => void): AsyncGenerator<Buffer> {
  let bytes = 0;
  let rows = 0;
  for await (const chunk of stream) {
    bytes += chunk.length;
    for (let at = chunk.indexOf(10); at !== -1; at = chunk.indexOf(10, at + 1)) rows += 1;
    onProgress({ bytes, rows });
    yield chunk;
  }
}
