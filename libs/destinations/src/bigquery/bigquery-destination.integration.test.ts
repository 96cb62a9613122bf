import { openBigQueryTestWarehouse, type BigQueryTestWarehouse } from '@ferry/test';
import { afterAll, describe, expect, it } from 'vitest';
import { DestinationError } from '../destination-error.ts';
import { csvRows } from '@ferry/test';
import { describeBigQueryError, type BigQueryTarget } from './bigquery-errors.ts';
import { canonicalText, ndjsonLine, parseRelation, plainDecimal, timestampText } from './bigquery-values.ts';

const TARGET: BigQueryTarget = { projectId: 'acme-analytics', dataset: 'knock', location: 'EU', keyFilename: '/secrets/ferry.json' };

describe('BigQuery values (unit)', () => {
  it('prints TIMESTAMP microseconds exactly in UTC, across the whole range', () => {
    expect(timestampText('-62135596799999999')).toBe('0001-01-01 00:00:00.000001+00');
    expect(timestampText('253402300799999999')).toBe('9999-12-31 23:59:59.999999+00');
    expect(timestampText('1709294400500000')).toBe('2024-03-01 12:00:00.5+00');
    expect(timestampText('0')).toBe('1970-01-01 00:00:00+00');
    expect(timestampText('-1')).toBe('1969-12-31 23:59:59.999999+00');
  });

  it('prints NUMERIC in plain digits, at the scale given or the one the value came with', () => {
    expect(plainDecimal('-1E-9')).toBe('-0.000000001');
    expect(plainDecimal('0E-9')).toBe('0.000000000');
    expect(plainDecimal('1.5', 9)).toBe('1.500000000');
    expect(plainDecimal('99999999999999999999999999999.999999999')).toBe('99999999999999999999999999999.999999999');
    expect(plainDecimal('1.2E+3')).toBe('1200');
    expect(plainDecimal('-0.0')).toBe('0.0');
  });

  it('prints floats, times and datetimes as the transfer format does', () => {
    const float = { name: 'f', type: 'FLOAT' };
    expect(['nan', 'NaN', 'inf', '-Infinity', '-0.0', '0.1', '5e-324'].map((v) => canonicalText(v, float))).toEqual([
      'NaN',
      'NaN',
      'Infinity',
      '-Infinity',
      '-0',
      '0.1',
      '5e-324',
    ]);
    expect(canonicalText('12:00:00.500000', { name: 't', type: 'TIME' })).toBe('12:00:00.5');
    expect(canonicalText('1969-12-31T23:59:59.999999', { name: 'd', type: 'DATETIME' })).toBe('1969-12-31 23:59:59.999999');
    expect(canonicalText('2000-01-01T00:00:00', { name: 'd', type: 'DATETIME' })).toBe('2000-01-01 00:00:00');
    expect(canonicalText(null, float)).toBeNull();
  });

  it('writes NDJSON: text as strings, booleans as booleans, JSON inline on one line, NULL left out', () => {
    const line = ndjsonLine(
      ['1', 't', '{\n  "a": "x\\ny"\n}', null, ''],
      ['"k"', '"b"', '"j"', '"n"', '"s"'],
      ['text', 'boolean', 'json', 'text', 'text'],
    );
    expect(line).toBe('{"k":"1","b":true,"j":{   "a": "x\\ny" },"s":""}\n');
    expect(JSON.parse(line)).toEqual({ k: '1', b: true, j: { a: 'x\ny' }, s: '' });
  });

  it.each([
    ['a boolean that is neither true nor false', ['yes'], ['boolean'], /a boolean field holds "yes"/],
    ['empty JSON text', ['  '], ['json'], /a JSON field holds empty text/],
  ] as const)('refuses %s rather than loading a wrong value', (_, record, encodings, message) => {
    expect(() => ndjsonLine([...record], ['"c"'], [...encodings])).toThrow(message);
  });

  it('reads back the relations it quoted, escapes included', () => {
    expect(parseRelation('`acme-analytics`.`knock`.`_ferry_staging_a\\`b`')).toEqual({
      projectId: 'acme-analytics',
      datasetId: 'knock',
      tableId: '_ferry_staging_a`b',
    });
    expect(parseRelation('knock.orders')).toBeUndefined();
  });
});

describe('BigQuery error reasons map to kinds and fixes (unit, real BigQuery reasons)', () => {
  const apiError = (code: number, reason: string, message: string) => Object.assign(new Error(message), { code, errors: [{ reason, message }] });

  it.each([
    [
      'accessDenied',
      apiError(403, 'accessDenied', 'Access Denied: Dataset acme-analytics:knock: Permission bigquery.tables.create denied'),
      'permission',
      'roles/bigquery.dataEditor',
    ],
    [
      'notFound dataset',
      apiError(404, 'notFound', 'Not found: Dataset acme-analytics:knock'),
      'missing-schema',
      'Ferry creates it on the first sync',
    ],
    ['notFound project', apiError(404, 'notFound', 'Not found: Project acme-analytics'), 'missing-database', 'Check projectId'],
    [
      'invalid in a load',
      apiError(400, 'invalid', 'Error while reading data, error message: JSON parsing error in row starting at position 0'),
      'load',
      '[invalid]',
    ],
    ['invalidQuery', apiError(400, 'invalidQuery', 'Syntax error: Unexpected keyword'), 'statement', '[invalidQuery]'],
    ['401', apiError(401, 'unauthorized', 'Request had invalid authentication credentials.'), 'authentication', '/secrets/ferry.json'],
  ])('%s', (_, error, kind, fix) => {
    const doing = kind === 'load' ? 'loading rows into `acme-analytics`.`knock`.`orders`' : 'running `CREATE TABLE ...`';
    const failure = describeBigQueryError(error, TARGET, doing);
    expect(failure.kind).toBe(kind);
    expect(failure.what).toContain(fix);
  });

  it('refused credentials (invalid_grant) are an authentication failure, and no key material reaches the message', () => {
    const key = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----';
    const error = Object.assign(new Error(`invalid_grant: Invalid JWT Signature. key ${key} token ya29.a0AfH6SMBx`), {
      response: { status: 400, data: { error: 'invalid_grant' } },
    });
    const failure = describeBigQueryError(error, TARGET, 'creating dataset acme-analytics.knock');
    expect(failure.kind).toBe('authentication');
    expect(failure.what).not.toContain('MIIEvQ');
    expect(failure.what).not.toContain('ya29.a0AfH6SMBx');
  });
});

describe('BigQuery destination on the test warehouse', () => {
  let opened: Promise<BigQueryTestWarehouse> | undefined;
  const open = () => (opened ??= openBigQueryTestWarehouse());
  afterAll(async () => {
    await (await opened?.catch(() => undefined))?.dispose();
  });

  it('names the destination, what failed and the fix for a dataset that does not exist', async () => {
    const warehouse = await open();
    const destination = warehouse.create(warehouse.config('bq-missing', 'never_created'));
    await destination.connect();
    expect(await destination.introspect('orders')).toBeUndefined();
    const error = await destination.query(`SELECT 1 FROM ${destination.relation('orders')}`).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DestinationError);
    expect((error as DestinationError).kind).toBe('missing-schema');
    expect((error as DestinationError).message).toMatch(
      /^destination "bq-missing" \(bigquery\): running `SELECT 1 FROM .*` failed: dataset .*never_created was not found/,
    );
    expect((error as DestinationError).message).toContain('Ferry creates it on the first sync');
    await destination.close();
  });

  it('fails a statement with a statement error that names it', async () => {
    const warehouse = await open();
    const destination = warehouse.create(warehouse.config('bq-bad-sql', 'errors'));
    await destination.connect();
    await destination.ensureSchema();
    const error = await destination.execute(['SELECT FROM WHERE']).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DestinationError);
    expect((error as DestinationError).kind).toBe('statement');
    expect((error as DestinationError).message).toMatch(/^destination "bq-bad-sql" \(bigquery\): running `SELECT FROM WHERE` failed: /);
  });

  it('loads 100k rows with a handful of API requests (one load job), exactly', async () => {
    const warehouse = await open();
    const destination = warehouse.create(warehouse.config('bq-bulk', 'bulk'));
    await destination.connect();
    await destination.ensureSchema();
    const q = (name: string) => destination.dialect.quoteIdentifier(name);
    const table = destination.relation('rows');
    await destination.execute([
      `CREATE OR REPLACE TABLE ${table} (${q('id')} INT64, ${q('amount')} NUMERIC(38,9), ${q('at')} TIMESTAMP, ${q('note')} STRING)`,
    ]);
    const ROWS = 100_000;
    const before = warehouse.requests();
    const started = Date.now();
    const loaded = await destination.loadCsv(
      table,
      ['id', 'amount', 'at', 'note'],
      csvRows(ROWS, (i) => [String(i - 1), `${i - 1}.000000001`, '2024-01-01 00:00:00.000001+00', (i - 1) % 2 ? '' : null]),
    );
    const requests = warehouse.requests() - before;
    console.info(`bigquery: ${ROWS} rows loaded in ${Date.now() - started} ms with ${requests} API requests`);
    expect(loaded.rows).toBe(ROWS);
    expect(requests).toBeLessThanOrEqual(8);
    expect(
      await destination.query(
        `SELECT COUNT(*), COUNTIF(${q('note')} = ''), COUNTIF(${q('note')} IS NULL), MAX(${q('amount')}), MIN(${q('at')}) FROM ${table}`,
      ),
    ).toEqual([[String(ROWS), String(ROWS / 2), String(ROWS / 2), '99999.000000001', '2024-01-01 00:00:00.000001+00']]);
  });
});
