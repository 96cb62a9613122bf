import { createHash } from 'node:crypto';
import { formatLogicalType } from './logical-types.ts';
import type { ExportModelSpec } from './export-model.ts';

/**
 * A short, stable hash of what shapes a model's destination tables: table and column names,
 * logical types, nullability and keys. Descriptions do not count: they change no table.
 */
export function fingerprintOf(model: Omit<ExportModelSpec, 'fingerprint'>): string {
  const shape = {
    table: model.destinationName,
    columns: model.columns.map((c) => [c.name, c.destinationName, formatLogicalType(c.type), c.nullable]),
    primaryKey: model.primaryKey,
    tenantColumn: model.tenantColumn,
    cursor: model.cursor ?? null,
    softDelete: model.softDelete ?? null,
  };
  return createHash('sha256').update(JSON.stringify(shape)).digest('hex').slice(0, 16);
}
