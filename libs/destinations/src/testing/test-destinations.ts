import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { createTempDatabase, openBigQueryTestWarehouse, openRedshiftTestWarehouse, openSnowflakeTestWarehouse } from '@ferry/test';
import { afterAll } from 'vitest';
import { createDestination, type DestinationType } from '../destination-modules.ts';
import type { Destination } from '../destination.ts';

/** A connected destination on a throw-away warehouse, with a second connection to watch it from. */
export interface TestDestination {
  readonly destination: Destination;
  /** Runs a query on another connection, as a customer's BI tool would while Ferry writes. */
  observe(sql: string): Promise<unknown[][]>;
  /** The files `loadCsv` left in its staging directory (DuckDB), which must be none. */
  stagedFiles(): Promise<string[]>;
  dispose(): Promise<void>;
}

/**
 * One opener per destination type: a Record, so a new type fails to compile until every test
 * that loops over it covers it. Postgres must be up: a missing server fails the tests, in CI
 * and everywhere else, rather than skipping them.
 */
export const testDestinations: Readonly<Record<DestinationType, () => Promise<TestDestination>>> = {
  async postgres() {
    const database = await createTempDatabase('ferry_destinations');
    const destination = createDestination({ type: 'postgres', id: 'test-postgres', url: database.url, schema: 'Knock' });
    await destination.connect();
    return {
      destination,
      observe: async (sql) => (await database.client.query<unknown[]>({ text: sql, rowMode: 'array' })).rows,
      stagedFiles: async () => [],
      async dispose() {
        await destination.close();
        await database.drop();
      },
    };
  },
  async duckdb() {
    const directory = await mkdtemp(join(tmpdir(), 'ferry-destinations-'));
    const stagingDirectory = join(directory, 'staging');
    await mkdir(stagingDirectory);
    const path = join(directory, 'warehouse.duckdb');
    const destination = createDestination({ type: 'duckdb', id: 'test-duckdb', path, schema: 'Knock', stagingDirectory });
    await destination.connect();
    const observer = await (await DuckDBInstance.fromCache(path)).connect();
    return {
      destination,
      observe: async (sql) => (await observer.runAndReadAll(sql)).getRowsJS(),
      stagedFiles: () => readdir(stagingDirectory),
      async dispose() {
        observer.closeSync();
        await destination.close();
        await rm(directory, { recursive: true, force: true });
      },
    };
  },
  async snowflake() {
    const warehouse = await openSnowflakeTestWarehouse();
    return pairOn({ ...warehouse, create: createDestination }, 'snowflake');
  },
  async bigquery() {
    return pairOn(await openBigQueryTestWarehouse(), 'bigquery');
  },
  async redshift() {
    return pairOn(await openRedshiftTestWarehouse(), 'redshift');
  },
};

/** A test warehouse that makes destinations from its configs (real, emulated or a stand-in). */
interface ConfigurableWarehouse<C extends { readonly id: string }> {
  config(id: string, schema: string): C;
  create(config: C): Destination;
  dispose(): Promise<void>;
}

/**
 * A destination and an observer, each on its own session, in one schema of the warehouse.
 * Nothing is staged on local disk by these types (Snowflake's gzip file lives only during a
 * load; BigQuery streams; Redshift inserts), so stagedFiles is empty.
 */
async function pairOn<C extends { readonly id: string }>(warehouse: ConfigurableWarehouse<C>, type: DestinationType): Promise<TestDestination> {
  const config = warehouse.config(`test-${type}`, 'Knock');
  const [destination, observer] = [warehouse.create(config), warehouse.create({ ...config, id: `test-${type}-observer` })];
  await destination.connect();
  await observer.connect();
  return {
    destination,
    observe: (sql) => observer.query(sql),
    stagedFiles: async () => [],
    async dispose() {
      await Promise.all([destination.close(), observer.close()]);
      await warehouse.dispose();
    },
  };
}

/** Every destination type, for `describe.each`. */
export const DESTINATION_TYPES = Object.keys(testDestinations) as DestinationType[];

/**
 * A lazily opened destination shared by a describe block's tests, disposed after them. Each
 * test opens it on first use, so a warehouse that is down fails every test instead of the
 * block being skipped, as a failing beforeAll would.
 */
export function useTestDestination(type: DestinationType): () => Promise<TestDestination> {
  let opening: Promise<TestDestination> | undefined;
  afterAll(async () => {
    const opened = await opening?.catch(() => undefined);
    await opened?.dispose();
  });
  return () => (opening ??= testDestinations[type]());
}
