import type { Destination } from '@ferry/destinations';
import type { ModelSql } from '@ferry/dialects';
import type { ExportModelSpec } from '@ferry/schema';
import type { Source } from '@ferry/sources';
import type { StreamProgress } from './csv.ts';

/**
 * Postgres to Postgres, a whole-slice load (create, rebuild) can skip CSV: the rows travel in
 * COPY's binary format, as Postgres stores them, which neither side has to format or parse.
 * Measured on this project's 5M-row model, a bare `COPY … TO STDOUT | COPY … FROM STDIN` pipe took
 * 27–29 s in binary against 42 s in CSV. Binary values are read back by each column's type, so
 * both sides must agree on every type: the load goes binary only when every exported column has
 * the same type on both sides (or one Ferry knows how to cast on the source: json into jsonb),
 * and falls back to CSV otherwise. Incremental merges stay CSV: their staged rows are few.
 * @returns the casts the source applies (empty: none), or undefined for a CSV load
 */
export async function binaryLoadCasts(
  source: Source,
  destination: Destination,
  spec: ExportModelSpec,
  sql: ModelSql,
  table: string,
): Promise<ReadonlyMap<string, string> | undefined> {
  if (!source.postgresColumnTypes || !source.exportPostgresBinary || !destination.loadPostgresBinary) return undefined;
  const [sourceTypes, shape] = await Promise.all([source.postgresColumnTypes(spec), destination.introspect(table)]);
  if (!shape) return undefined;
  const casts = new Map<string, string>();
  for (const column of spec.columns) {
    const from = sourceTypes.get(column.name);
    const to = shape.columns.get(sql.columns[column.name] as string)?.type;
    if (from === undefined || to === undefined) return undefined;
    const cast = binaryCast(from, to);
    if (cast === null) return undefined;
    if (cast !== undefined) casts.set(column.name, cast);
  }
  return casts;
}

/**
 * How a source column of type `from` reaches a destination column of type `to` (both as
 * Postgres's format_type spells them) in binary: undefined when both read the same bytes alike,
 * a type to cast to on the source, or null when only CSV will do.
 */
export function binaryCast(from: string, to: string): string | undefined | null {
  const source = sameWireType(from);
  const destination = sameWireType(to);
  if (source === destination) return undefined;
  // jsonb's binary form is a version byte and the text; json's is the text: cast on the source,
  // which is what the destination's input would do to json text anyway.
  if (source === 'json' && destination === 'jsonb') return 'jsonb';
  return null;
}

/** Postgres keeps at most microseconds: a time or timestamp of precision 6 is the unconstrained type. */
function sameWireType(type: string): string {
  return type.replace(/^(timestamp|time)\(6\)/, '$1');
}

/**
 * Passes a stream in COPY's binary format through, reporting bytes and rows as they go: a row is
 * a field count, then per field a length (-1 for NULL) and that many bytes; a count of -1 ends
 * the data. A length word split across two chunks is carried to the next.
 * @see https://www.postgresql.org/docs/current/sql-copy.html#id-1.9.3.55.9.4
 */
export async function* countingBinaryRows(stream: AsyncIterable<Buffer>, onProgress: (progress: StreamProgress) => void): AsyncGenerator<Buffer> {
  const rows = new BinaryRowCounter();
  let bytes = 0;
  for await (const chunk of stream) {
    bytes += chunk.length;
    rows.push(chunk);
    onProgress({ bytes, rows: rows.rows });
    yield chunk;
  }
}

/** The COPY binary header: 11-byte signature, 32-bit flags, 32-bit length of the extension that follows. */
const HEADER_BYTES = 19;

/** Counts the rows of a COPY binary stream fed chunk by chunk. */
export class BinaryRowCounter {
  rows = 0;
  #stage: 'header' | 'row' | 'field' | 'done' = 'header';
  /** Bytes of field data (or header extension) still to pass over. */
  #skip = 0;
  #fieldsLeft = 0;
  /** The start of a header or length word that the last chunk cut short. */
  #carry: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): void {
    const data = this.#carry.length > 0 ? Buffer.concat([this.#carry, chunk]) : chunk;
    this.#carry = Buffer.alloc(0);
    let at = 0;
    while (at < data.length && this.#stage !== 'done') {
      if (this.#skip > 0) {
        const passed = Math.min(this.#skip, data.length - at);
        at += passed;
        this.#skip -= passed;
        continue;
      }
      const need = this.#stage === 'header' ? HEADER_BYTES : this.#stage === 'row' ? 2 : 4;
      if (data.length - at < need) {
        this.#carry = Buffer.from(data.subarray(at));
        return;
      }
      if (this.#stage === 'header') {
        this.#skip = data.readInt32BE(at + 15);
        this.#stage = 'row';
      } else if (this.#stage === 'row') {
        const fields = data.readInt16BE(at);
        if (fields === -1) this.#stage = 'done';
        else {
          this.rows += 1;
          this.#fieldsLeft = fields;
          if (fields > 0) this.#stage = 'field';
        }
      } else {
        const length = data.readInt32BE(at);
        if (length > 0) this.#skip = length;
        this.#fieldsLeft -= 1;
        if (this.#fieldsLeft === 0) this.#stage = 'row';
      }
      at += need;
    }
  }
}
