import { dialects } from '@ferry/dialects';
import type { ExportModelSpec, LogicalTypeKind } from '@ferry/schema';

/** Kinds whose text can hold a `,`, `"`, CR or LF, or be empty: only these may need quotes. */
const QUOTABLE_KINDS: ReadonlySet<LogicalTypeKind> = new Set(['text', 'varchar', 'json']);

/**
 * Wraps a DuckDB tenant slice query so that it returns one BLOB per row: the row's CSV record in
 * the transfer format, newline included. DuckDB does all the formatting in its vectorised engine
 * and JavaScript only concatenates each chunk's bytes, so the export streams (see the README for
 * why not `COPY ... TO` a file). Quoting per value follows the transfer format, not DuckDB's CSV
 * writer, so the bytes match Postgres's `COPY ... (FORMAT csv)`.
 */
export function csvLinesQuery(model: ExportModelSpec, sliceQuery: string): string {
  const fields = model.columns.map(({ name, type }) => {
    const text = `CAST(slice.${dialects.duckdb.quoteIdentifier(name)} AS VARCHAR)`;
    return QUOTABLE_KINDS.has(type.kind) ? quotedField(text) : `COALESCE(${text}, '')`;
  });
  return `SELECT encode(concat(${fields.join(`, ',', `)}, chr(10))) AS line FROM (${sliceQuery}) AS slice`;
}

/**
 * NULL as an empty field, the empty string as `""`, and a value holding a quote, comma, CR or LF
 * quoted with its quotes doubled (RFC 4180); everything else as is.
 */
function quotedField(text: string): string {
  const needsQuotes = [`${text} = ''`, ...[`'"'`, `','`, 'chr(10)', 'chr(13)'].map((c) => `contains(${text}, ${c})`)].join(' OR ');
  return `CASE WHEN ${text} IS NULL THEN '' WHEN ${needsQuotes} THEN '"' || replace(${text}, '"', '""') || '"' ELSE ${text} END`;
}
