import type { LogicalType } from '@ferry/schema';

/**
 * The SELECT expression that makes Postgres's `COPY ... (FORMAT csv)` write one exported column
 * in its canonical transfer-format text. Only booleans need help: COPY writes `t`/`f`, a cast to
 * text writes `true`/`false`, as DuckDB does, so both sources emit the same bytes. Every other
 * type is already canonical under the session settings (see session.ts).
 */
export function postgresCanonicalText(column: string, type: LogicalType): string {
  return type.kind === 'boolean' ? `CAST(${column} AS TEXT)` : column;
}
