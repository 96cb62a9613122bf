import type { LogicalType } from '@ferry/schema';

/**
 * The SELECT expression that renders one exported column as DuckDB must send it. Only floats
 * need help, and only their special values: DuckDB writes `nan`, `inf` and `-inf`, the transfer
 * format spells them as Postgres does (`NaN`, `Infinity`, `-Infinity`). Finite floats keep
 * DuckDB's own text (`100.0`, `1000000000000000.0`), which reads back as exactly the same float;
 * re-laying it out to match Postgres digit for digit is not possible in SQL, as the two engines
 * pick different (equally exact) digits for some values.
 */
export function duckdbCanonicalText(column: string, type: LogicalType): string {
  if (type.kind !== 'real' && type.kind !== 'double') return column;
  return [
    `CASE WHEN isnan(${column}) THEN 'NaN'`,
    `WHEN isinf(${column}) THEN CASE WHEN ${column} > 0 THEN 'Infinity' ELSE '-Infinity' END`,
    `ELSE CAST(${column} AS VARCHAR) END`,
  ].join(' ');
}
