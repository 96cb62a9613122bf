import {
  DuckDBDecimalValue,
  DuckDBTimestampTZValue,
  DuckDBTimestampValue,
  uuidValue,
  type DuckDBAppender,
  type DuckDBConnection,
} from '@duckdb/node-api';
import { sampleRows } from './rows/index.ts';
import {
  RAW_SCHEMA,
  RAW_TABLE_NAMES,
  rawColumns,
  rawTableDdl,
  type LoadReport,
  type RawColumnType,
  type RawTableName,
  type RawValueOf,
} from './raw-schema.ts';
import { sampleSizes, type SampleDataOptions } from './sizes.ts';

/**
 * (Re)creates schema `raw` and every raw table in one transaction and fills them through
 * DuckDB's appender, which takes rows one vector at a time as they are generated: no rows pile up
 * in JavaScript. What DuckDB itself caches is bounded by its `memory_limit` setting.
 */
export async function loadIntoDuckDB(
  connection: DuckDBConnection,
  options: SampleDataOptions,
  /** Called as each table is loaded: a large sample takes minutes, and a caller may show where it is. */
  onTable?: (table: RawTableName, rows: number) => void,
): Promise<LoadReport> {
  sampleSizes(options);
  const report: Partial<Record<RawTableName, number>> = {};
  await connection.run('BEGIN TRANSACTION');
  try {
    await connection.run(`CREATE SCHEMA IF NOT EXISTS ${RAW_SCHEMA}`);
    for (const table of RAW_TABLE_NAMES) {
      for (const statement of rawTableDdl(table)) await connection.run(statement);
      const appender = await connection.createAppender(table, RAW_SCHEMA);
      try {
        report[table] = appendRows(appender, table, options);
        onTable?.(table, report[table]);
      } finally {
        appender.closeSync();
      }
    }
    await connection.run('COMMIT');
  } catch (error) {
    await connection.run('ROLLBACK');
    throw error;
  }
  return report as LoadReport;
}

function appendRows(appender: DuckDBAppender, table: RawTableName, options: SampleDataOptions): number {
  const columns = rawColumns(table).map(({ name, type }) => ({ name, append: APPENDERS[type] as Append<unknown> }));
  let rows = 0;
  for (const row of sampleRows(table, options)) {
    const record = row as Record<string, unknown>;
    for (const { name, append } of columns) {
      const value = record[name];
      if (value === null) appender.appendNull();
      else append(appender, value);
    }
    appender.endRow();
    rows++;
  }
  return rows;
}

type Append<V> = (appender: DuckDBAppender, value: V) => void;

/** Typed appends: no value goes through text, so nothing is parsed or rounded on the way. */
const APPENDERS: { readonly [K in RawColumnType]: Append<RawValueOf[K]> } = {
  text: (appender, value) => appender.appendVarchar(value),
  json: (appender, value) => appender.appendVarchar(value),
  uuid: (appender, value) => appender.appendUUID(uuidValue(BigInt(`0x${value.replaceAll('-', '')}`))),
  integer: (appender, value) => appender.appendInteger(value),
  bigint: (appender, value) => appender.appendBigInt(value),
  'numeric(12,6)': (appender, value) => appender.appendDecimal(new DuckDBDecimalValue(scaled(value, 6), 12, 6)),
  boolean: (appender, value) => appender.appendBoolean(value),
  timestamp: (appender, value) => appender.appendTimestamp(new DuckDBTimestampValue(BigInt(value))),
  timestamptz: (appender, value) => appender.appendTimestampTZ(new DuckDBTimestampTZValue(BigInt(value))),
};

/** The integer `text * 10^scale` for decimal text such as "-12.5". */
function scaled(text: string, scale: number): bigint {
  const [whole = '0', fraction = ''] = text.split('.');
  return BigInt(whole + fraction.padEnd(scale, '0').slice(0, scale));
}
