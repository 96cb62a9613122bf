import { DuckDBInstance } from '@duckdb/node-api';
import { dialects } from '@ferry/dialects';
import type { ExportModelSpec } from '@ferry/schema';
import { createTempDatabase } from '@ferry/test';
import { DuckDBSource } from '../duckdb/duckdb-source.ts';
import { PostgresSource } from '../postgres/postgres-source.ts';
import type { Source, SourceKind } from '../source.ts';
import { sourceRelation } from '../tenant-slice.ts';

/** Every source kind: tests loop over it and key their expectations by it. */
export const SOURCE_KINDS: readonly SourceKind[] = ['postgres', 'duckdb'];

/** A value by column, in canonical text (what the CSV should say), or null for NULL. */
export type Value = string | null;

/**
 * A throw-away source warehouse of one kind, with a connected Source on it and a separate
 * connection to set it up, as dbt would have built it.
 */
export interface SourceFixture {
  readonly kind: SourceKind;
  readonly source: Source;
  /** Runs statements on the set-up connection, in order. */
  execute(...statements: string[]): Promise<void>;
  /** Runs a query on the set-up connection, outside the source; values as text. */
  rows(sql: string): Promise<Value[][]>;
  /** Creates the model's relation (and schema), its columns typed from the dialect's type map. */
  createTable(model: ExportModelSpec, columnSuffix?: Readonly<Record<string, string>>): Promise<void>;
  /** Inserts rows given as canonical text per column, each cast to the column's type. */
  insert(model: ExportModelSpec, rows: readonly (readonly Value[])[]): Promise<void>;
  close(): Promise<void>;
}

/**
 * A fresh Postgres database (fails, never skips, when Postgres is down) or in-memory DuckDB. The
 * DuckDB source shares the fixture's instance, so set-up and reads see the same database.
 */
export async function openFixture(kind: SourceKind): Promise<SourceFixture> {
  return kind === 'postgres' ? postgresFixture() : duckdbFixture();
}

async function postgresFixture(): Promise<SourceFixture> {
  const database = await createTempDatabase('ferry_sources');
  const source = new PostgresSource({ url: database.url });
  await source.connect();
  const rows = async (sql: string) => (await database.client.query<unknown[]>({ text: sql, rowMode: 'array' })).rows;
  return fixture('postgres', source, rows, async () => {
    await source.close();
    await database.drop();
  });
}

async function duckdbFixture(): Promise<SourceFixture> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  const source = new DuckDBSource({ instance });
  await source.connect();
  const rows = async (sql: string) => (await connection.runAndReadAll(sql)).getRows();
  return fixture('duckdb', source, rows, async () => {
    await source.close();
    connection.closeSync();
    instance.closeSync();
  });
}

function fixture(kind: SourceKind, source: Source, query: (sql: string) => Promise<unknown[][]>, close: () => Promise<void>): SourceFixture {
  const dialect = dialects[kind];
  const run = async (sql: string) => void (await query(sql));
  return {
    kind,
    source,
    async execute(...statements) {
      for (const sql of statements) await run(sql);
    },
    async rows(sql) {
      return (await query(sql)).map((row) => row.map((value) => (value === null ? null : String(value))));
    },
    async createTable(model, columnSuffix = {}) {
      const columns = model.columns.map(
        (c) => `${dialect.quoteIdentifier(c.name)} ${dialect.columnType(c.type)}${columnSuffix[c.name] ? ` ${columnSuffix[c.name]}` : ''}`,
      );
      await run(`CREATE SCHEMA IF NOT EXISTS ${dialect.quoteIdentifier(model.source.schema)}`);
      await run(`CREATE TABLE ${sourceRelation(kind, model.source)} (${columns.join(', ')})`);
    },
    async insert(model, rows) {
      if (rows.length === 0) return;
      const values = rows.map(
        (row) =>
          `(${model.columns.map((c, i) => (row[i] === null || row[i] === undefined ? 'NULL' : `CAST(${sqlString(row[i])} AS ${dialect.columnType(c.type)})`)).join(', ')})`,
      );
      await run(`INSERT INTO ${sourceRelation(kind, model.source)} VALUES ${values.join(', ')}`);
    },
    close,
  };
}

/** A standard SQL string literal (both engines keep backslashes as they are). */
export function sqlString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}
