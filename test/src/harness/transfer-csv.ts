/**
 * Parses CSV in the transfer format, strictly: an empty unquoted field is NULL, `""` the empty
 * string, and anything the format does not allow (a stray quote, a missing final newline) throws,
 * so a test reading a source's output also checks its syntax.
 */
export function parseTransferCsv(text: string): (string | null)[][] {
  const records: (string | null)[][] = [];
  let record: (string | null)[] = [];
  let i = 0;
  while (i < text.length) {
    let field: string | null;
    if (text[i] === '"') {
      let value = '';
      i++;
      for (;;) {
        const quote = text.indexOf('"', i);
        if (quote < 0) throw new Error(`unterminated quoted field at ${i}`);
        value += text.slice(i, quote);
        if (text[quote + 1] === '"') {
          value += '"';
          i = quote + 2;
        } else {
          i = quote + 1;
          break;
        }
      }
      field = value;
    } else {
      const end = text.slice(i).search(/[,\n]/);
      if (end < 0) throw new Error('the last record does not end with a newline');
      const raw = text.slice(i, i + end);
      if (/["\r]/.test(raw)) throw new Error(`unquoted field ${JSON.stringify(raw)} holds a quote or CR`);
      field = raw === '' ? null : raw;
      i += end;
    }
    record.push(field);
    if (text[i] === ',') {
      i++;
    } else if (text[i] === '\n') {
      records.push(record);
      record = [];
      i++;
    } else {
      throw new Error(`expected a separator after a field at ${i}, got ${JSON.stringify(text[i] ?? 'end of text')}`);
    }
  }
  if (record.length > 0) throw new Error('the last record does not end with a newline');
  return records;
}

/** Reads a whole export into one string. */
export async function collectCsv(chunks: AsyncIterable<Buffer>): Promise<string> {
  const parts: Buffer[] = [];
  for await (const chunk of chunks) parts.push(chunk);
  return Buffer.concat(parts).toString('utf8');
}

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
