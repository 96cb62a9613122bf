import type { ReadFailure } from '../source-errors.ts';

/** Reads DuckDB's catalog and binder messages as a missing relation or column. */
export function duckdbReadFailure(error: unknown): ReadFailure {
  const message = error instanceof Error ? error.message : String(error);
  if (/^Catalog Error: (Table|Schema) with name .+ does not exist/m.test(message)) return { kind: 'missing relation' };
  const column = /^Binder Error: (Referenced column .+? not found)/m.exec(message);
  return column?.[1] ? { kind: 'missing column', detail: column[1] } : undefined;
}
