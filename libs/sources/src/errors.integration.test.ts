import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { POSTGRES_ADMIN_URL, withDatabase } from '@ferry/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSource } from './create-source.ts';
import { DuckDBSource } from './duckdb/duckdb-source.ts';
import { PostgresSource } from './postgres/postgres-source.ts';
import { MissingColumnError, MissingRelationError, SourceConnectionError } from './source-errors.ts';
import { collectCsv } from '@ferry/test';
import { everyTypeModel } from '@ferry/test';
import { openFixture, SOURCE_KINDS, type SourceFixture } from '@ferry/test';

const PASSWORD = 's3cret-pw';

describe('postgres source: connection errors', () => {
  it('names host, port, database and user of an unreachable server, never the password', async () => {
    for (const source of [
      createSource({ type: 'postgres', url: `postgres://ferry:${PASSWORD}@127.0.0.1:1/vendor` }),
      new PostgresSource({ host: '127.0.0.1', port: 1, database: 'vendor', user: 'ferry', password: PASSWORD }),
    ]) {
      const error = await source.connect().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(SourceConnectionError);
      const message = (error as Error).message;
      expect(message).toContain('cannot connect to the Postgres source at 127.0.0.1:1, database "vendor", user "ferry"');
      expect(message).toContain('Check that the server is running and reachable from this machine');
      expect(message).not.toContain(PASSWORD);
      expect(JSON.stringify(error)).not.toContain(PASSWORD);
    }
  });

  it('says to check the database name when the database does not exist', async () => {
    const source = new PostgresSource({ url: withDatabase(POSTGRES_ADMIN_URL, 'ferry_no_such_database') });
    await expect(source.connect()).rejects.toThrow(/database "ferry_no_such_database".*Check the database name/s);
  });

  it('refuses to read before connect()', async () => {
    const source = new PostgresSource({ url: POSTGRES_ADMIN_URL });
    await expect(source.count(everyTypeModel, 'acme')).rejects.toThrow('the Postgres source is not connected: call connect() first');
  });
});

describe('duckdb source: opening errors', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ferry-sources-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('names a missing database file, and does not create it', async () => {
    const path = join(dir, 'missing.duckdb');
    const source = createSource({ type: 'duckdb', path });
    await expect(source.connect()).rejects.toThrow(
      new SourceConnectionError(
        `the DuckDB source file ${path} does not exist: check the source's path, which must be the database file dbt-duckdb builds the export models in (\`path\` in profiles.yml)`,
      ),
    );
    expect(existsSync(path)).toBe(false);
  });

  it('refuses to read before connect()', async () => {
    const source = new DuckDBSource({ path: join(dir, 'missing.duckdb') });
    await expect(collectCsv(source.exportCsv(everyTypeModel, 'acme'))).rejects.toThrow('the DuckDB source is not connected: call connect() first');
  });
});

describe.each(SOURCE_KINDS)('%s source: a model dbt has not built', (kind) => {
  let fixture: SourceFixture;
  beforeAll(async () => {
    fixture = await openFixture(kind);
  });
  afterAll(() => fixture?.close());

  it('names the model and relation and says to run dbt build, on every kind of read', async () => {
    const expected = new MissingRelationError('every_type', '"analytics"."every_type"');
    expect(expected.message).toContain(
      'export model "every_type" reads "analytics"."every_type", which does not exist in the source: run `dbt build --select every_type`',
    );
    await expect(collectCsv(fixture.source.exportCsv(everyTypeModel, 'acme'))).rejects.toThrow(expected);
    await expect(fixture.source.count(everyTypeModel, 'acme')).rejects.toThrow(expected);
    await expect(fixture.source.keyBuckets(everyTypeModel, 'acme', 2)).rejects.toThrow(expected);
    await expect(collectCsv(fixture.source.exportKeysInBuckets(everyTypeModel, 'acme', 2, ['ab']))).rejects.toThrow(expected);
  });

  it('names both ways a column can go missing, and both fixes, from a read and from checkColumns', async () => {
    await fixture.createTable({ ...everyTypeModel, columns: everyTypeModel.columns.filter((c) => c.name !== 'ref') });
    const error = await collectCsv(fixture.source.exportCsv(everyTypeModel, 'acme')).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(MissingColumnError);
    const expected = new RegExp(
      '^export model "every_type" reads a column that "analytics"."every_type" does not have \\(.*ref.*\\): the dbt model and the source disagree\\. ' +
        'If the model gained the column, dbt has not built it into this source yet: run `dbt build --select every_type`; ' +
        'if the model lost it, the generated catalog is stale: run `npx ferry manifest update && npx ferry generate`$',
    );
    expect((error as Error).message).toMatch(expected);
    const checked = await fixture.source.checkColumns(everyTypeModel).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(checked).toBeInstanceOf(MissingColumnError);
    expect((checked as Error).message).toMatch(expected);
  });

  it('leaves other errors as the engine reported them', async () => {
    // A watermark that is no integer, for an integer cursor (DuckDB only casts it when a row is compared).
    const withoutRef = everyTypeModel.columns.filter((c) => c.name !== 'ref');
    await fixture.insert({ ...everyTypeModel, columns: withoutRef }, [
      withoutRef.map((c) => (c.name === 'tenant_id' ? 'acme' : c.name === 'id' ? '1' : null)),
    ]);
    const error = await fixture.source.count({ ...everyTypeModel, cursor: 'id' }, 'acme', { since: 'yesterday' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(MissingRelationError);
    expect((error as Error).message).toMatch(/yesterday/);
  });
});
