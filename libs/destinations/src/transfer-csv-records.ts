import { StringDecoder } from 'node:string_decoder';

/** The CSV a destination was given does not follow the transfer format. */
export class MalformedCsvError extends Error {
  override readonly name = 'MalformedCsvError';
}

/** One record of the transfer format: text per column, null for NULL. */
export type TransferRecord = (string | null)[];

/**
 * Parses a transfer-format CSV stream (see @ferry/schema transfer-format.ts) into records, for
 * warehouses that cannot ingest the CSV itself (Redshift without S3 takes multi-row INSERTs,
 * BigQuery's emulator-safe path takes NDJSON). Streams: a record may span chunks, a chunk may end
 * inside a UTF-8 character, and memory holds one chunk and one record at a time.
 * An empty unquoted field is NULL; `""` is the empty string.
 * @throws Error on malformed CSV (a quote inside an unquoted field, an unterminated quote).
 */
export async function* transferCsvRecords(csv: AsyncIterable<Buffer>): AsyncGenerator<TransferRecord> {
  const decoder = new StringDecoder('utf8');
  let record: TransferRecord = [];
  let field = '';
  /** Whether the current field started with a quote (so it is text, never NULL). */
  let quoted = false;
  /** Inside a quoted field; `quoteSeen` marks a quote that may close it or start a doubled one. */
  let inQuotes = false;
  let quoteSeen = false;
  let line = 1;

  const endField = () => {
    record.push(quoted || field !== '' ? field : null);
    field = '';
    quoted = false;
  };

  for await (const chunk of csv) {
    const text = decoder.write(chunk);
    let start = 0;
    for (let i = 0; i < text.length; i += 1) {
      const character = text[i];
      if (inQuotes) {
        if (quoteSeen) {
          quoteSeen = false;
          if (character === '"') {
            field += '"';
            start = i + 1;
            continue;
          }
          inQuotes = false;
          // Falls through: the character after a closing quote must end the field or record.
        } else {
          if (character === '"') {
            field += text.slice(start, i);
            quoteSeen = true;
          } else if (character === '\n') {
            line += 1;
          }
          if (character === '"') start = i + 1;
          continue;
        }
      }
      if (character === ',') {
        field += text.slice(start, i);
        endField();
        start = i + 1;
      } else if (character === '\n') {
        field += text.slice(start, i);
        endField();
        yield record;
        record = [];
        line += 1;
        start = i + 1;
      } else if (character === '"') {
        if (field !== '' || i !== start || quoted) throw new MalformedCsvError(`malformed CSV on line ${line}: a quote inside an unquoted field`);
        quoted = true;
        inQuotes = true;
        start = i + 1;
      } else if (quoted) {
        throw new MalformedCsvError(`malformed CSV on line ${line}: text after a closing quote`);
      }
    }
    if (inQuotes && !quoteSeen) field += text.slice(start);
    else if (!inQuotes) field += text.slice(start);
  }
  field += decoder.end();
  if (inQuotes && !quoteSeen) throw new MalformedCsvError(`malformed CSV on line ${line}: a quoted field is not closed`);
  if (field !== '' || quoted || record.length > 0) {
    endField();
    yield record;
  }
}
