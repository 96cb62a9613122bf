import { createHash } from 'node:crypto';
import type { DuckDBConnection } from '@duckdb/node-api';
import type pg from 'pg';
import { RAW_SCHEMA, rawColumns, sampleRows, type RawColumnType, type RawTableName, type SampleDataOptions } from '@ferry/sample-data';

/** A table's content, independent of row order: equal digests mean equal multisets of rows. */
export interface TableDigest {
  readonly rows: number;
  readonly digest: string;
}

/**
 * Each value as text both engines and the generator agree on: timestamps as epoch microseconds,
 * booleans as true/false, everything else as its own text. Null stays distinct from ''.
 */
type Canonical = string | null;

export function digestGeneratedTable(table: RawTableName, options: SampleDataOptions): TableDigest {
  const columns = rawColumns(table);
  const rows: Canonical[][] = [];
  for (const row of sampleRows(table, options)) {
    const record = row as Record<string, unknown>;
    rows.push(columns.map(({ name }) => (record[name] === null ? null : String(record[name]))));
  }
  return digestOf(rows);
}

export async function digestPostgresTable(client: pg.Client, table: RawTableName): Promise<TableDigest> {
  const result = await client.query<Canonical[]>({
    text: `SELECT ${canonicalSelectList(table, POSTGRES_CANONICAL)} FROM ${RAW_SCHEMA}.${table}`,
    rowMode: 'array',
  });
  return digestOf(result.rows);
}

export async function digestDuckDBTable(connection: DuckDBConnection, table: RawTableName): Promise<TableDigest> {
  const reader = await connection.runAndReadAll(`SELECT ${canonicalSelectList(table, DUCKDB_CANONICAL)} FROM ${RAW_SCHEMA}.${table}`);
  return digestOf(reader.getRows() as Canonical[][]);
}

type CanonicalSql = (column: string, type: RawColumnType) => string;

const POSTGRES_CANONICAL: CanonicalSql = (column, type) => {
  if (type === 'timestamp' || type === 'timestamptz') return `(extract(epoch FROM ${column}) * 1000000)::bigint::text`;
  return `${column}::text`;
};

const DUCKDB_CANONICAL: CanonicalSql = (column, type) => {
  if (type === 'timestamp' || type === 'timestamptz') return `CAST(epoch_us(${column}) AS VARCHAR)`;
  return `CAST(${column} AS VARCHAR)`;
};

function canonicalSelectList(table: RawTableName, canonical: CanonicalSql): string {
  return rawColumns(table)
    .map(({ name, type }) => canonical(name, type))
    .join(', ');
}

function digestOf(rows: readonly (readonly Canonical[])[]): TableDigest {
  const lines = rows.map((row) => JSON.stringify(row)).sort();
  const hash = createHash('sha256');
  for (const line of lines) hash.update(line).update('\n');
  return { rows: rows.length, digest: hash.digest('hex') };
}
