import { randomBytes } from 'node:crypto';
import { createDestination, type Destination, type RedshiftDestinationConfig } from '@ferry/destinations';
import { prepareRedshiftOnPostgres, RedshiftOnPostgresTestDouble } from './fixtures/redshift-on-postgres.ts';
import pg from 'pg';
import { createTempDatabase } from './postgres.ts';

/** A Redshift warehouse for tests: real when FERRY_TEST_REDSHIFT_URL is set, else Redshift's SQL on local Postgres. */
export interface RedshiftTestWarehouse {
  /** Whether this is a real Redshift cluster rather than the Postgres stand-in. */
  readonly real: boolean;
  /** A config for a destination in `schema` (made unique per run on a real cluster). */
  config(id: string, schema: string): RedshiftDestinationConfig;
  /** The destination for a config: the Postgres test double unless the warehouse is real. */
  create(config: RedshiftDestinationConfig): Destination;
  /** Drops what the tests made: the database, or on a real cluster the schemas. */
  dispose(): Promise<void>;
}

/**
 * Opens the Redshift warehouse the tests run against. With FERRY_TEST_REDSHIFT_URL
 * (postgres://user:password@cluster:5439/database) the same tests run on a real cluster, in
 * schemas named after this run and dropped afterwards; otherwise on a throw-away Postgres database
 * prepared for RedshiftOnPostgresTestDouble.
 */
export async function openRedshiftTestWarehouse(): Promise<RedshiftTestWarehouse> {
  const url = process.env.FERRY_TEST_REDSHIFT_URL;
  if (url) {
    const run = randomBytes(4).toString('hex');
    const schemas = new Set<string>();
    return {
      real: true,
      config(id, schema) {
        const unique = `${schema}_${run}`;
        schemas.add(unique.toLowerCase());
        return { type: 'redshift', id, url, schema: unique };
      },
      create: (config) => createDestination(config),
      async dispose() {
        const client = new pg.Client({ connectionString: url });
        await client.connect();
        try {
          for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        } finally {
          await client.end();
        }
      },
    };
  }
  const database = await createTempDatabase('ferry_redshift');
  await prepareRedshiftOnPostgres(database.client);
  return {
    real: false,
    config: (id, schema) => ({ type: 'redshift', id, url: database.url, schema }),
    create: (config) => new RedshiftOnPostgresTestDouble(config),
    dispose: () => database.drop(),
  };
}
