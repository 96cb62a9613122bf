import { DuckDBInstance } from '@duckdb/node-api';
import { createTempDatabase } from '@ferry/test';

/** A live database the execution tests run rendered SQL against. */
export interface TestWarehouse {
  /** Runs one statement; resolves to the number of rows it changed. */
  execute(sql: string): Promise<number>;
  /** Runs a query whose columns are all text (or NULL). */
  rows(sql: string): Promise<Record<string, string | null>[]>;
  /** The schema the tests create destination tables in, quoted. */
  readonly schema: string;
  close(): Promise<void>;
}

/**
 * A throw-away Postgres database with a destination schema. Fails when Postgres is down, in CI
 * and everywhere else: a skipped execution test would hide a broken setup.
 */
export async function postgresWarehouse(): Promise<TestWarehouse> {
  const database = await createTempDatabase('ferry_dialects');
  const { client } = database;
  // Timestamps with time zone then read back in one fixed form.
  await client.query(`SET TIME ZONE 'UTC'`);
  await client.query('CREATE SCHEMA "ferry_dest"');
  return {
    schema: '"ferry_dest"',
    async execute(sql) {
      return (await client.query(sql)).rowCount ?? 0;
    },
    async rows(sql) {
      return (await client.query<Record<string, string | null>>(sql)).rows;
    },
    close: () => database.drop(),
  };
}

/** An in-memory DuckDB with a destination schema. */
export async function duckdbWarehouse(): Promise<TestWarehouse> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  await connection.run(`SET TimeZone = 'UTC'`);
  await connection.run('CREATE SCHEMA "ferry_dest"');
  return {
    schema: '"ferry_dest"',
    async execute(sql) {
      return (await connection.run(sql)).rowsChanged;
    },
    async rows(sql) {
      const reader = await connection.runAndReadAll(sql);
      return reader
        .getRowObjects()
        .map((row) => Object.fromEntries(Object.entries(row).map(([name, value]) => [name, value === null ? null : String(value)])));
    },
    async close() {
      connection.closeSync();
      instance.closeSync();
    },
  };
}
