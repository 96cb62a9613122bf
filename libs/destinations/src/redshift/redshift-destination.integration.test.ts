import { dialectFor } from '@ferry/dialects';
import { openRedshiftTestWarehouse, type RedshiftTestWarehouse } from '@ferry/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DestinationError } from '../destination-error.ts';
import { postgresConnection } from '../postgres/postgres-connection.ts';
import { postgresSpelling, RedshiftOnPostgresTestDouble } from '@ferry/test';
import { csvRows } from '@ferry/test';

/** The test double, counting the INSERT statements its loads send. */
class CountingRedshiftOnPostgresTestDouble extends RedshiftOnPostgresTestDouble {
  inserts = 0;

  protected override runWith(sql: string, values: readonly (string | null)[], doing: string): Promise<number> {
    this.inserts += 1;
    return super.runWith(sql, values, doing);
  }
}

describe('Redshift destination (Redshift SQL on Postgres, counted)', () => {
  let warehouse: RedshiftTestWarehouse;
  let destination: CountingRedshiftOnPostgresTestDouble;
  let table: string;

  beforeAll(async () => {
    warehouse = await openRedshiftTestWarehouse();
    destination = new CountingRedshiftOnPostgresTestDouble({ ...warehouse.config('redshift-unit', 'knock'), type: 'redshift' });
    await destination.connect();
    await destination.ensureSchema();
    table = destination.relation('events');
    await destination.execute([
      `CREATE TABLE ${table} ("id" BIGINT NOT NULL, "name" VARCHAR(64), "payload" SUPER, "at" TIMESTAMPTZ, "score" DOUBLE PRECISION)`,
    ]);
  });

  afterAll(async () => {
    await destination?.close();
    await warehouse?.dispose();
  });

  it('loads 100k rows with a few dozen multi-row INSERTs, not one statement per row', async () => {
    const columns = ['id', 'name', 'payload', 'at', 'score'];
    const loaded = await destination.loadCsv(
      table,
      columns,
      csvRows(100_000, (i) => [String(i), i % 7 === 0 ? '' : `name ${i}`, `{"n": ${i}}`, '2024-01-01 00:00:00.000001+00', 'NaN']),
    );
    expect(loaded.rows).toBe(100_000);
    expect(destination.inserts).toBeGreaterThan(0);
    expect(destination.inserts).toBeLessThanOrEqual(Math.ceil(100_000 / Math.floor(32_767 / columns.length)));
    const [summary] = await destination.query(
      `SELECT COUNT(*), SUM(CASE WHEN "name" = '' THEN 1 ELSE 0 END), MAX(JSON_SERIALIZE("payload")) FILTER (WHERE "id" = 99999), MIN("at"), MAX("score") FROM ${table}`,
    );
    expect(summary).toEqual(['100000', String(Math.floor(100_000 / 7)), '{"n": 99999}', '2024-01-01 00:00:00.000001+00', 'NaN']);
  });

  it('refuses malformed CSV as a load error naming the destination', async () => {
    const bad = (async function* () {
      yield Buffer.from('1,"unterminated\n');
    })();
    const error = await destination.loadCsv(table, ['id', 'name', 'payload', 'at', 'score'], bad).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DestinationError);
    expect(error).toMatchObject({
      kind: 'load',
      message: expect.stringMatching(/^destination "redshift-unit" \(redshift\): loading rows into .* a quoted field is not closed/),
    });
  });

  it('refuses to change a type in place, so the engine rebuilds as on Redshift', async () => {
    await expect(destination.alterColumnType('events', 'name', 'VARCHAR(256)')).rejects.toMatchObject({
      kind: 'usage',
      message: expect.stringMatching(/rebuild the table/),
    });
    expect((await destination.introspect('events'))?.columns.get('name')?.type).toBe('character varying(64)');
  });

  it('drops NOT NULL by moving the column into a nullable one, keeping every value', async () => {
    await destination.dropNotNull('events', 'id');
    const shape = await destination.introspect('events');
    expect(shape?.columns.get('id')).toEqual({ type: 'bigint', nullable: true });
    expect(await destination.query(`SELECT COUNT(DISTINCT "id"), MIN("id"), MAX("id") FROM ${table}`)).toEqual([['100000', '1', '100000']]);
  });
});

describe('Redshift connections', () => {
  it("default to Redshift's port 5439 where a URL or the parts name none, and keep a port that is named", () => {
    const connect = (config: { url?: string; host?: string }) => postgresConnection({ id: 'r', schema: 'knock', ...config }, 'Redshift');
    expect(connect({ url: 'postgres://ferry:pw@cluster.example.com/dev' }).clientConfig.connectionString).toBe(
      'postgres://ferry:pw@cluster.example.com:5439/dev',
    );
    expect(connect({ url: 'postgres://ferry:pw@cluster.example.com:6000/dev' }).clientConfig.connectionString).toBe(
      'postgres://ferry:pw@cluster.example.com:6000/dev',
    );
    expect(connect({ host: 'cluster.example.com' }).clientConfig.port).toBe(5439);
    expect(connect({ url: 'postgres://ferry@cluster.example.com/dev' }).target.port).toBe(5439);
  });
});

describe('Redshift-only SQL, as the test double rewrites it for Postgres', () => {
  it('rewrites exactly the LISTAGG of the key-bucket digest, and nothing else', () => {
    const redshift = dialectFor('redshift');
    const query = redshift.keyBucketsQuery('FROM "knock"."orders"', ['"id"'], 2);
    expect(query).toContain(`MD5(LISTAGG(h, '') WITHIN GROUP (ORDER BY h))`);
    expect(postgresSpelling(query)).toBe(query.replace(`LISTAGG(h, '') WITHIN GROUP (ORDER BY h)`, `string_agg(h, '' ORDER BY h)`));
    const untouched = 'SELECT JSON_SERIALIZE("payload") FROM "knock"."events"';
    expect(postgresSpelling(untouched)).toBe(untouched);
  });
});
