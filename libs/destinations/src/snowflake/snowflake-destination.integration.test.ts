import { openSnowflakeTestWarehouse, type SnowflakeTestWarehouse } from '@ferry/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DestinationError } from '../destination-error.ts';
import { csvRows } from '@ferry/test';
import type { SnowflakeDestinationConfig } from './snowflake-config.ts';
import { SnowflakeDestination, type SnowflakeResult } from './snowflake-destination.ts';
import { describeSnowflakeError, type SnowflakeTarget } from './snowflake-errors.ts';
import { canonicalFloat } from '../canonical-float.ts';
import { canonicalText } from './snowflake-values.ts';

/** The destination, counting the statements it sends to Snowflake. */
class StatementCountingSnowflakeDestination extends SnowflakeDestination {
  readonly statements: string[] = [];

  protected override send(sql: string, doing: string): Promise<SnowflakeResult> {
    this.statements.push(sql.split(/\s/, 1)[0]!.toUpperCase());
    return super.send(sql, doing);
  }
}

describe('Snowflake destination (fakesnow unless FERRY_TEST_SNOWFLAKE_* is set)', () => {
  let warehouse: SnowflakeTestWarehouse;
  let config: SnowflakeDestinationConfig;
  let destination: StatementCountingSnowflakeDestination;
  let table: string;
  const columns = ['ID', 'NAME', 'PAYLOAD', 'AT', 'SCORE'];

  beforeAll(async () => {
    warehouse = await openSnowflakeTestWarehouse();
    config = warehouse.config('snowflake-unit', 'Knock');
    destination = new StatementCountingSnowflakeDestination(config);
    await destination.connect();
    await destination.ensureSchema();
    table = destination.relation('EVENTS');
    await destination.execute([
      `CREATE TABLE ${table} ("ID" NUMBER(19,0) NOT NULL, "NAME" VARCHAR(64), "PAYLOAD" VARIANT, "AT" TIMESTAMP_TZ(6), "SCORE" FLOAT)`,
    ]);
  }, 60_000);

  afterAll(async () => {
    await destination?.close();
    await warehouse?.dispose();
  });

  it('loads 100k rows with one PUT and one COPY, not one statement per row', async () => {
    destination.statements.length = 0;
    const started = Date.now();
    const loaded = await destination.loadCsv(
      table,
      columns,
      csvRows(100_000, (i) => [String(i), i % 7 === 0 ? '' : `name ${i}`, `{"n": ${i}}`, '2024-01-01 00:00:00.000001+00', 'NaN']),
    );
    const seconds = (Date.now() - started) / 1000;
    expect(loaded.rows).toBe(100_000);
    // The session's temporary stage is created by its first load, then PUT and COPY per load.
    expect(destination.statements).toEqual(['CREATE', 'PUT', 'COPY']);
    console.info(`snowflake: loaded 100k rows in ${seconds.toFixed(1)} s with ${destination.statements.length} statements`);
    const [summary] = await destination.query(
      `SELECT COUNT(*), COUNT_IF("NAME" = ''), MAX(CASE WHEN "ID" = 99999 THEN "PAYLOAD":n END), MIN("AT"), MAX("SCORE") FROM ${table}`,
    );
    expect(summary).toEqual(['100000', String(Math.floor(100_000 / 7)), '99999', '2024-01-01 00:00:00.000001+00', 'NaN']);

    destination.statements.length = 0;
    await destination.loadCsv(
      table,
      columns,
      csvRows(1, (i) => [String(i), null, null, null, null]),
    );
    expect(destination.statements).toEqual(['PUT', 'COPY']);
  }, 120_000);

  it('refuses malformed CSV as a load error naming the destination, and leaves no row behind', async () => {
    const bad = (async function* () {
      yield Buffer.from('1,"unterminated\n');
    })();
    const error = await destination.loadCsv(table, columns, bad).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DestinationError);
    expect(error).toMatchObject({ message: expect.stringMatching(/^destination "snowflake-unit" \(snowflake\): loading CSV into .*EVENTS/) });
    expect(await destination.query(`SELECT COUNT(*) FROM ${table} WHERE "ID" = 1 AND "NAME" IS NULL`)).toEqual([['1']]);
  });

  it('runs a merge and its deletes in one transaction: DDL inside it is refused, a failure after the merge undoes both', async () => {
    const keys = destination.relation('TX_KEYS');
    await destination.execute([`CREATE TABLE ${keys} ("ID" NUMBER(19,0) NOT NULL, "V" VARCHAR(8))`, `INSERT INTO ${keys} VALUES (1, 'a'), (2, 'b')`]);
    const fresh = new StatementCountingSnowflakeDestination(config);
    await fresh.connect();
    try {
      await fresh.ensureSchema();
      // The stage a load needs is made before BEGIN, where its CREATE cannot commit anything.
      fresh.statements.length = 0;
      await fresh.transaction(async (session) =>
        session.loadCsv(
          keys,
          ['ID', 'V'],
          csvRows(1, () => ['3', 'c']),
        ),
      );
      expect(fresh.statements).toEqual(['CREATE', 'BEGIN', 'PUT', 'COPY', 'COMMIT']);
      const ddl = fresh.transaction((session) => session.execute([`CREATE TEMPORARY TABLE "TX_HELPER" ("ID" NUMBER(19,0))`]));
      await expect(ddl).rejects.toThrow(/inside a transaction: Snowflake commits DDL at once/);
      const commented = fresh.transaction((session) =>
        session.execute([`-- a helper\n/* made here */ CREATE TEMPORARY TABLE "TX_HELPER" ("ID" NUMBER(19,0))`]),
      );
      await expect(commented).rejects.toThrow(/inside a transaction: Snowflake commits DDL at once/);
      await expect(
        fresh.transaction(async (session) => {
          await session.execute([`UPDATE ${keys} SET "V" = 'merged' WHERE "ID" = 1`, `DELETE FROM ${keys} WHERE "ID" = 2`]);
          throw new Error('injected after the merge and the deletes');
        }),
      ).rejects.toThrow(/injected/);
    } finally {
      await fresh.close();
    }
    expect(await destination.query(`SELECT "ID", "V" FROM ${keys} ORDER BY "ID"`)).toEqual([
      ['1', 'a'],
      ['2', 'b'],
      ['3', 'c'],
    ]);
    expect(await destination.introspect('TX_HELPER')).toBeUndefined();
  }, 60_000);

  it('a wrong password fails as authentication, naming the destination and never the password', async () => {
    const password = `wrong-${config.password}`;
    const wrong = new SnowflakeDestination({ ...config, id: 'wrong-password', password });
    const error = await wrong.connect().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DestinationError);
    expect(error).toMatchObject({
      kind: 'authentication',
      message: expect.stringMatching(/^destination "wrong-password" \(snowflake\): Snowflake at .* refused user/),
    });
    expect((error as Error).message).not.toContain(password);
    expect((error as Error).message).not.toContain(config.password);
  });

  it('an unknown database fails as missing-database, naming it', async () => {
    const missing = new SnowflakeDestination({ ...config, id: 'no-database', database: 'FERRY_NO_SUCH_DATABASE' });
    await missing.connect();
    try {
      const error = await missing.ensureSchema().catch((e: unknown) => e);
      expect(error).toMatchObject({
        kind: 'missing-database',
        message: expect.stringMatching(/^destination "no-database" \(snowflake\): .*database "FERRY_NO_SUCH_DATABASE" does not exist/),
      });
    } finally {
      await missing.close();
    }
  });
});

describe('describeSnowflakeError, on error codes and messages of real Snowflake', () => {
  const target: SnowflakeTarget = {
    host: 'xy12345.snowflakecomputing.com',
    user: 'FERRY',
    database: 'ANALYTICS',
    schema: 'KNOCK',
    warehouse: 'FERRY_WH',
  };
  const snowflakeError = (code: string, message: string) => Object.assign(new Error(message), { code });

  it.each([
    ['390100', 'Incorrect username or password was specified.', 'connecting', 'authentication', /refused user "FERRY"/],
    [
      '003001',
      "SQL access control error:\nInsufficient privileges to operate on schema 'KNOCK'",
      'running `CREATE TABLE`',
      'permission',
      /GRANT OWNERSHIP ON SCHEMA "ANALYTICS"\."KNOCK"/,
    ],
    [
      '002003',
      "SQL compilation error:\nSchema 'ANALYTICS.KNOCK' does not exist or not authorized.",
      'running `CREATE TABLE`',
      'missing-schema',
      /Ferry creates it on the first sync/,
    ],
    [
      '002003',
      "SQL compilation error:\nDatabase 'ANALYTICS' does not exist or not authorized.",
      'running `USE SCHEMA`',
      'missing-database',
      /GRANT USAGE ON DATABASE "ANALYTICS"/,
    ],
    [
      '000606',
      "No active warehouse selected in the current session.  Select an active warehouse with the 'use warehouse' command.",
      'running `MERGE`',
      'permission',
      /GRANT USAGE ON WAREHOUSE "FERRY_WH"/,
    ],
    [
      '100038',
      "Numeric value 'abc' is not recognized\n  File 'x.csv.gz', line 1, character 1",
      'loading CSV into "T"',
      'load',
      /Numeric value 'abc' is not recognized/,
    ],
    [
      '002003',
      "SQL compilation error:\nTable 'ANALYTICS.KNOCK.T' does not exist or not authorized.",
      'running `SELECT`',
      'statement',
      /Table 'ANALYTICS\.KNOCK\.T' does not exist/,
    ],
  ] as const)('%s %#: %s -> %s', (code, message, doing, kind, what) => {
    const failure = describeSnowflakeError(snowflakeError(code, message), target, doing);
    expect(failure.kind).toBe(kind);
    expect(failure.what).toMatch(what);
  });

  it('a request that never got an answer is a connection error', () => {
    const failure = describeSnowflakeError(
      Object.assign(new Error('Network error. Could not reach Snowflake.'), { code: 401001 }),
      target,
      'connecting',
    );
    expect(failure).toMatchObject({ kind: 'connection', what: expect.stringMatching(/cannot reach Snowflake at xy12345\.snowflakecomputing\.com/) });
  });
});

describe('Snowflake result values as canonical text', () => {
  it('spells floats so they read back as the same float', () => {
    expect(['NaN', 'inf', '-inf', '-0.0', '1e-45', '0.1'].map(canonicalFloat)).toEqual(['NaN', 'Infinity', '-Infinity', '-0', '1e-45', '0.1']);
  });

  it('prints times and timestamps with trailing zeros trimmed, in UTC', () => {
    const at = (epochSeconds: number, nanoSeconds: number) => ({ getEpochSeconds: () => epochSeconds, getNanoSeconds: () => nanoSeconds });
    expect(canonicalText('12:00:00.500000000', 'time')).toBe('12:00:00.5');
    expect(canonicalText('23:59:59.000000000', 'time')).toBe('23:59:59');
    expect(canonicalText(at(-1, 999_999_000), 'timestamp_ntz')).toBe('1969-12-31 23:59:59.999999');
    expect(canonicalText(at(-62_135_596_800, 1000), 'timestamp_tz')).toBe('0001-01-01 00:00:00.000001+00');
    expect(canonicalText(at(253_402_214_400, 0), 'date')).toBe('9999-12-31');
  });
});
