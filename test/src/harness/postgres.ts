import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** The admin connection tests use to create their own throw-away databases. */
export const POSTGRES_ADMIN_URL = process.env.FERRY_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TempDatabase {
  readonly name: string;
  /** Connection URL for the new database. */
  readonly url: string;
  /** A connected client on the new database. */
  readonly client: pg.Client;
  /** Closes the client and drops the database. */
  drop(): Promise<void>;
}

/**
 * Creates an empty, uniquely named database so test files can run in parallel.
 * Fails (never skips) when Postgres is down: scripts/test.sh starts it, and a test that
 * silently skipped would hide a broken setup.
 */
export async function createTempDatabase(prefix = 'ferry_test'): Promise<TempDatabase> {
  const name = `${prefix}_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  try {
    await admin.connect();
  } catch (error) {
    throw new Error(
      `Postgres is not reachable at ${redactUrl(POSTGRES_ADMIN_URL)} (${(error as Error).message}). ` +
        'Run the tests with `npm test`, which starts it, or set FERRY_TEST_POSTGRES_URL.',
    );
  }
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const url = withDatabase(POSTGRES_ADMIN_URL, name);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return {
    name,
    url,
    client,
    async drop() {
      await client.end();
      const again = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
      await again.connect();
      try {
        await again.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await again.end();
      }
    },
  };
}

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/** The parts of a Postgres URL dbt's profile reads from the environment. */
export function postgresEnv(url: string): Record<string, string> {
  const parsed = new URL(url);
  return {
    FERRY_PG_HOST: parsed.hostname,
    FERRY_PG_PORT: parsed.port || '5432',
    FERRY_PG_USER: decodeURIComponent(parsed.username || 'postgres'),
    FERRY_PG_PASSWORD: decodeURIComponent(parsed.password),
    FERRY_PG_DATABASE: parsed.pathname.slice(1),
  };
}

function redactUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}
