export * from './source.ts';
export { createSource, type SourceConfig } from './create-source.ts';
export { SOURCE_MODULES, sourceModule, type AnySourceModule, type SourceType } from './source-modules.ts';
export type { SourceEntry, SourceModule, SourceVia } from './source-module.ts';
export { cursorWindowCondition, tenantSliceFrom, tenantSliceQuery, sourceRelation } from './tenant-slice.ts';
export { SourceConnectionError, MissingRelationError, MissingColumnError } from './source-errors.ts';
export { PostgresSource } from './postgres/postgres-source.ts';
export type { PostgresSourceConfig } from './postgres/connection.ts';
export { DuckDBSource, type DuckDBSourceConfig } from './duckdb/duckdb-source.ts';
