import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { createDestination, type DestinationType } from '@ferry/destinations';
import { prepareRedshiftOnPostgres, RedshiftOnPostgresTestDouble } from '../index.ts';
import { dialects } from '@ferry/dialects';
import { catalogOf } from '../harness/catalog.ts';
import { sourceRelation } from '@ferry/sources';
import { DuckDBSource } from '@ferry/sources';
import { everyTypeModel } from '../index.ts';
import { openStateStore } from '@ferry/state';
import { syncAll } from '@ferry/sync';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTempDatabase, FIRST_LOAD, POSTGRES_ADMIN_URL, runFerry, TENANT, type TempDatabase } from '../index.ts';

/**
 * `ferry destinations setup-sql <type>`: the script a customer's administrator runs. On Postgres
 * (and Redshift's SQL on Postgres) the script is run for real, and Ferry then syncs as the login
 * it created — enough privilege to do its work, and no more (it cannot write outside its schema).
 */
const PASSWORD = 'Setup-Test-Pa55word';

const catalog = catalogOf(everyTypeModel);

let dir: string;
let sourcePath: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ferry-setup-sql-'));
  sourcePath = join(dir, 'vendor.duckdb');
  const dialect = dialects.duckdb;
  const literal = (value: string | null, i: number) =>
    value === null ? 'NULL' : `CAST('${value.replaceAll("'", "''")}' AS ${dialect.columnType(everyTypeModel.columns[i]!.type)})`;
  const instance = await DuckDBInstance.create(sourcePath);
  const connection = await instance.connect();
  try {
    await connection.run(`CREATE SCHEMA ${everyTypeModel.source.schema}`);
    await connection.run(
      `CREATE TABLE ${sourceRelation('duckdb', everyTypeModel.source)} (${everyTypeModel.columns.map((c) => `${dialect.quoteIdentifier(c.name)} ${dialect.columnType(c.type)}`).join(', ')})`,
    );
    await connection.run(
      `INSERT INTO ${sourceRelation('duckdb', everyTypeModel.source)} VALUES ${FIRST_LOAD.map((row) => `(${row.map(literal).join(', ')})`).join(', ')}`,
    );
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

const PG_WIRE: readonly { type: Extract<DestinationType, 'postgres' | 'redshift'>; placeholder: string }[] = [
  { type: 'postgres', placeholder: 'choose-a-strong-password' },
  { type: 'redshift', placeholder: 'Choose-a-str0ng-password' },
];

describe.each(PG_WIRE)('$type setup SQL, run on Postgres', ({ type, placeholder }) => {
  let database: TempDatabase;
  const user = `ferry_setup_${randomBytes(4).toString('hex')}`;

  beforeAll(async () => {
    database = await createTempDatabase(`ferry_setup_${type}`);
    if (type === 'redshift') await prepareRedshiftOnPostgres(database.client);
  });

  afterAll(async () => {
    await database?.drop();
    const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
    await admin.connect();
    await admin.query(`DROP ROLE IF EXISTS "${user}"`).finally(() => admin.end());
  });

  it('creates a login that Ferry syncs with, that cannot write outside its schema, and whose missing grant is named', async () => {
    const printed = await runFerry(['destinations', 'setup-sql', type, '--database', database.name, '--user', user, '--schema', 'Knock']);
    expect(printed.exitCode, printed.stderr).toBe(0);
    expect(printed.stdout).toContain(placeholder);
    await database.client.query(printed.stdout.replace(placeholder, PASSWORD));

    const url = new URL(database.url);
    url.username = user;
    url.password = PASSWORD;
    const config = { id: `${type}-least-privilege`, url: url.toString(), schema: 'Knock' };
    const open = () => (type === 'redshift' ? new RedshiftOnPostgresTestDouble({ type, ...config }) : createDestination({ type, ...config }));
    const state = await openStateStore(join(dir, `state-${type}.duckdb`));
    await state.migrate();
    try {
      const [result] = await syncAll(
        [{ id: config.id, tenant: TENANT, models: [everyTypeModel.name], softDeletes: 'keep', open }],
        () => new DuckDBSource({ path: sourcePath }),
        state,
        { catalog, fullRefresh: false, lookbackSeconds: 0, retry: { retries: 0, baseDelayMs: 10 }, concurrency: 1 },
      );
      expect(result?.models[0]?.error ?? result?.error).toBeNull();
      expect(result?.models[0]).toMatchObject({ action: 'create', rowsInserted: FIRST_LOAD.length });
    } finally {
      await state.close();
    }

    // Without a grant the script gives, the next run fails naming the grant, is recorded as
    // failed, and moves no watermark.
    await database.client.query(`REVOKE TEMPORARY ON DATABASE "${database.name}" FROM PUBLIC, "${user}"`);
    const reopened = await openStateStore(join(dir, `state-${type}.duckdb`));
    try {
      const before = await reopened.getModelState(config.id, everyTypeModel.name);
      const [failed] = await syncAll(
        [{ id: config.id, tenant: TENANT, models: [everyTypeModel.name], softDeletes: 'keep', open }],
        () => new DuckDBSource({ path: sourcePath }),
        reopened,
        { catalog, fullRefresh: false, lookbackSeconds: 0, retry: { retries: 0, baseDelayMs: 10 }, concurrency: 1 },
      );
      expect(failed?.models[0]?.error).toMatch(
        new RegExp(`^destination "${type}-least-privilege" \\(${type}\\): .*GRANT TEMPORARY ON DATABASE "${database.name}" TO "${user}"`),
      );
      expect(failed?.models[0]?.error).not.toContain(PASSWORD);
      expect((await reopened.getModelState(config.id, everyTypeModel.name))?.watermark).toBe(before?.watermark);
      const [latest] = await reopened.recentTransfers({ destinationId: config.id, limit: 1 });
      expect(latest?.status).toBe('failed');
    } finally {
      await reopened.close();
    }

    const asFerry = new pg.Client({ connectionString: url.toString() });
    await asFerry.connect();
    try {
      expect((await asFerry.query(`SELECT COUNT(*)::int AS n FROM knock.every_type`)).rows[0].n).toBe(FIRST_LOAD.length);
      await expect(asFerry.query('CREATE TABLE public.not_ferrys (x int)')).rejects.toThrow(/permission denied/);
    } finally {
      await asFerry.end();
    }
  });
});

describe('setup SQL for the cloud warehouses', () => {
  it('snowflake: a role owning the schema, a small auto-suspending warehouse, a user defaulting to both', async () => {
    const { exitCode, stdout } = await runFerry(['destinations', 'setup-sql', 'snowflake', '--database', 'analytics', '--schema', 'knock']);
    expect(exitCode).toBe(0);
    for (const line of [
      'CREATE ROLE IF NOT EXISTS "FERRY_ROLE";',
      `CREATE USER IF NOT EXISTS "FERRY" PASSWORD = 'choose-a-strong-password' DEFAULT_ROLE = "FERRY_ROLE" DEFAULT_WAREHOUSE = "FERRY_WH";`,
      'GRANT USAGE ON WAREHOUSE "FERRY_WH" TO ROLE "FERRY_ROLE";',
      'GRANT USAGE ON DATABASE "ANALYTICS" TO ROLE "FERRY_ROLE";',
      'GRANT OWNERSHIP ON SCHEMA "ANALYTICS"."KNOCK" TO ROLE "FERRY_ROLE" COPY CURRENT GRANTS;',
    ]) {
      expect(stdout.split('\n')).toContain(line);
    }
    expect(stdout).not.toMatch(/ACCOUNTADMIN|ALL PRIVILEGES/);
  });

  it('bigquery: the job user role on the project, data editor on the dataset only', async () => {
    const member = 'ferry@acme-data.iam.gserviceaccount.com';
    const { exitCode, stdout } = await runFerry([
      'destinations',
      'setup-sql',
      'bigquery',
      '--project',
      'acme-data',
      '--user',
      member,
      '--schema',
      'Knock',
      '--location',
      'EU',
    ]);
    expect(exitCode).toBe(0);
    expect(stdout).toContain(`--member 'serviceAccount:${member}' --role roles/bigquery.jobUser`);
    expect(stdout.split('\n')).toContain("CREATE SCHEMA IF NOT EXISTS `acme-data`.`knock` OPTIONS (location = 'EU');");
    expect(stdout.split('\n')).toContain(`GRANT \`roles/bigquery.dataEditor\` ON SCHEMA \`acme-data\`.\`knock\` TO "serviceAccount:${member}";`);
    expect(stdout).not.toMatch(/roles\/bigquery\.admin|roles\/owner/);
  });

  it.each([
    [['snowflake'], /snowflake setup SQL needs --database/],
    [['bigquery', '--user', 'ferry@x.iam.gserviceaccount.com'], /bigquery setup SQL needs --project/],
    [['bigquery', '--project', 'p'], /needs --user to be a service account's email/],
    [
      ['bigquery', '--project', 'p; rm -rf /', '--user', 'ferry@x.iam.gserviceaccount.com'],
      /--project "p; rm -rf \/" is not a Google Cloud project id/,
    ],
    [['oracle'], /unknown destination type "oracle": expected one of postgres, redshift, snowflake, bigquery, duckdb/],
  ])('%j exits 1 naming what is missing', async (args, message) => {
    const { exitCode, stdout, stderr } = await runFerry(['destinations', 'setup-sql', ...args]);
    expect(exitCode).toBe(1);
    expect(stderr).toMatch(message);
    expect(stdout).toBe('');
  });
});
