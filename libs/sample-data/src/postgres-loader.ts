import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
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

/** Rows are batched into strings of about this size before they enter the COPY stream. */
const CHUNK_BYTES = 64 * 1024;

/**
 * (Re)creates schema `raw` and every raw table in one transaction and fills them with
 * COPY ... FROM STDIN. Rows are generated while Postgres consumes them, honouring back-pressure,
 * so memory stays flat for any size. Nothing is left behind if a load fails.
 */
export async function loadIntoPostgres(client: pg.Client, options: SampleDataOptions): Promise<LoadReport> {
  sampleSizes(options);
  const report: Partial<Record<RawTableName, number>> = {};
  await client.query('BEGIN');
  try {
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${RAW_SCHEMA}`);
    for (const table of RAW_TABLE_NAMES) {
      for (const statement of rawTableDdl(table)) await client.query(statement);
      const counter = { rows: 0 };
      const names = rawColumns(table).map((column) => column.name);
      await pipeline(
        Readable.from(copyTextChunks(table, options, counter)),
        client.query(copyFrom(`COPY ${RAW_SCHEMA}.${table} (${names.join(', ')}) FROM STDIN`)),
      );
      report[table] = counter.rows;
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  }
  return report as LoadReport;
}

function* copyTextChunks(table: RawTableName, options: SampleDataOptions, counter: { rows: number }): Generator<string> {
  const columns = rawColumns(table).map(({ name, type }) => ({ name, encode: TEXT_ENCODERS[type] as (value: unknown) => string }));
  let chunk = '';
  for (const row of sampleRows(table, options)) {
    const record = row as Record<string, unknown>;
    let line = '';
    for (let i = 0; i < columns.length; i++) {
      const { name, encode } = columns[i]!;
      const value = record[name];
      line += (i === 0 ? '' : '\t') + (value === null ? '\\N' : encode(value));
    }
    chunk += `${line}\n`;
    counter.rows++;
    if (chunk.length >= CHUNK_BYTES) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk) yield chunk;
}

/**
 * Values in COPY's text format. Only strings can hold the characters that format reserves.
 * @see https://www.postgresql.org/docs/current/sql-copy.html#id-1.9.3.55.9.2
 */
const TEXT_ENCODERS: { readonly [K in RawColumnType]: (value: RawValueOf[K]) => string } = {
  text: escapeText,
  json: escapeText,
  uuid: (value) => value,
  integer: (value) => String(value),
  bigint: (value) => String(value),
  'numeric(12,6)': (value) => value,
  boolean: (value) => (value ? 't' : 'f'),
  timestamp: formatTimestamp,
  timestamptz: (value) => `${formatTimestamp(value)}+00`,
};

const RESERVED = /[\\\n\r\t]/g;
const ESCAPES: Readonly<Record<string, string>> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function escapeText(value: string): string {
  return value.replace(RESERVED, (character) => ESCAPES[character]!);
}

const MICROS_PER_DAY = 86_400_000_000;
const TWO_DIGITS = Array.from({ length: 60 }, (_, n) => String(n).padStart(2, '0'));
/** Day number -> 'YYYY-MM-DD'. Sample data spans a few hundred days, so this stays small. */
const DATES = new Map<number, string>();

/** `YYYY-MM-DD HH:MM:SS.ffffff` from microseconds since the epoch; Date would drop the microseconds. */
function formatTimestamp(micros: number): string {
  const day = Math.floor(micros / MICROS_PER_DAY);
  let date = DATES.get(day);
  if (date === undefined) {
    date = new Date(day * 86_400_000).toISOString().slice(0, 10);
    DATES.set(day, date);
  }
  const ofDay = micros - day * MICROS_PER_DAY;
  const fraction = ofDay % 1_000_000;
  const seconds = (ofDay - fraction) / 1_000_000;
  return `${date} ${TWO_DIGITS[Math.floor(seconds / 3600)]}:${TWO_DIGITS[Math.floor(seconds / 60) % 60]}:${TWO_DIGITS[seconds % 60]}.${String(fraction).padStart(6, '0')}`;
}
