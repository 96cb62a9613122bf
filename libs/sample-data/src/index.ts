/**
 * Deterministic sample data for dbt_project's raw sources: a notification API's messages on five
 * channels (each in its vendor's status vocabulary), their events, recipients (with PII and soft
 * deletes), workflows (hard-deleted) and recipient preferences, for any number of tenants.
 *
 * @example
 * const options = { seed: 42, tenants: 3, messagesPerTenant: 100 };
 * await loadIntoPostgres(client, options); // or loadIntoDuckDB(connection, options)
 * for (const row of sampleRows('recipients', options)) console.log(row.email);
 */
export { sampleSizes, tenantId, type SampleDataOptions, type SampleSizes } from './sizes.ts';
export {
  RAW_SCHEMA,
  RAW_TABLES,
  RAW_TABLE_NAMES,
  rawColumns,
  rawTableDdl,
  type RawColumn,
  type RawColumnType,
  type RawRow,
  type RawTableName,
  type RawValueOf,
  type LoadReport,
} from './raw-schema.ts';
export {
  CHANNELS,
  CHANNEL_TYPES,
  MESSAGE_STATUSES,
  MESSAGE_TABLES,
  normalizedStatus,
  type Channel,
  type ChannelType,
  type MessageStatus,
  type Outcome,
} from './channels.ts';
export { sampleRows } from './rows/index.ts';
export { loadIntoPostgres } from './postgres-loader.ts';
export { loadIntoDuckDB } from './duckdb-loader.ts';
export { sourceChangeStatements, type SourceChanges } from './changes.ts';
