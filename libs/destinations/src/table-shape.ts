import type { TableShape } from './destination.ts';

/**
 * A TableShape from catalog rows of `[column name, type, nullable]`, in canonical text
 * (nullable is `true`/`false`); undefined when there are no rows, as for a missing table.
 */
export function tableShapeFrom(rows: readonly (readonly (string | null)[])[]): TableShape | undefined {
  if (rows.length === 0) return undefined;
  return { columns: new Map(rows.map(([name, type, nullable]) => [String(name), { type: String(type), nullable: nullable === 'true' }])) };
}
