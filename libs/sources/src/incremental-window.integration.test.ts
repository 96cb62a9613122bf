import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReadWindow } from './source.ts';
import { collectCsv, parseTransferCsv } from '@ferry/test';
import { datedModel, everyTypeModel, fullRefreshModel, versionedModel } from '@ferry/test';
import { openFixture, SOURCE_KINDS, type SourceFixture, type Value } from '@ferry/test';

const SINCE = '2024-03-01 12:00:00.000000+00';

/** Rows by id with their cursor (updated_at), placed around SINCE and SINCE - 1 hour to the microsecond. */
const CURSORS: Readonly<Record<number, string>> = {
  1: '2024-03-01 10:59:59.999999+00', // lookback start - 1µs
  2: '2024-03-01 11:00:00+00', // lookback start (SINCE - 3600 s)
  3: '2024-03-01 11:59:59.999999+00', // SINCE - 1µs
  4: '2024-03-01 12:00:00+00', // SINCE
  5: '2024-03-01 12:00:00.000001+00', // SINCE + 1µs
  6: '2024-03-02 00:00:00+00',
};

function timestampRow(id: number, tenant = 'acme'): Value[] {
  return everyTypeModel.columns.map((column) =>
    column.name === 'tenant_id' ? tenant : column.name === 'id' ? String(id) : column.name === 'updated_at' ? CURSORS[id]! : null,
  );
}

describe.each(SOURCE_KINDS)('%s source: incremental window', (kind) => {
  let fixture: SourceFixture;
  beforeAll(async () => {
    fixture = await openFixture(kind);
    await fixture.createTable(everyTypeModel);
    await fixture.insert(everyTypeModel, [...[1, 2, 3, 4, 5, 6].map((id) => timestampRow(id)), timestampRow(6, 'globex')]);
    await fixture.createTable(versionedModel);
    await fixture.insert(versionedModel, [
      ['acme', '1', '99', '2024-02-28'],
      ['acme', '2', '100', '2024-02-29'],
      ['acme', '3', '101', '2024-03-01'],
      ['acme', '4', '5000', '2024-03-02'],
      ['globex', '5', '100', '2024-03-01'],
    ]);
  });
  afterAll(() => fixture?.close());

  const ids = async (model = everyTypeModel, window?: ReadWindow) => {
    const rows = parseTransferCsv(await collectCsv(fixture.source.exportCsv(model, 'acme', window)));
    return rows.map((row) => Number(row[1])).sort((a, b) => a - b);
  };

  it('reads the whole slice without a window', async () => {
    expect(await ids()).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('includes a row exactly at `since` and excludes one a microsecond before, without lookback', async () => {
    expect(await ids(everyTypeModel, { since: SINCE })).toEqual([4, 5, 6]);
    expect(await ids(everyTypeModel, { since: SINCE, lookbackSeconds: 0 })).toEqual([4, 5, 6]);
    expect(await fixture.source.count(everyTypeModel, 'acme', { since: SINCE })).toBe(3);
  });

  it('re-reads the lookback, to the microsecond', async () => {
    expect(await ids(everyTypeModel, { since: SINCE, lookbackSeconds: 3600 })).toEqual([2, 3, 4, 5, 6]);
    expect(await ids(everyTypeModel, { since: SINCE, lookbackSeconds: 0.000001 })).toEqual([3, 4, 5, 6]);
    expect(await ids(everyTypeModel, { since: SINCE, lookbackSeconds: 3600.000001 })).toEqual([1, 2, 3, 4, 5, 6]);
    expect(await fixture.source.count(everyTypeModel, 'acme', { since: SINCE, lookbackSeconds: 3600 })).toBe(5);
  });

  it('reads a `since` written with another offset as the same instant', async () => {
    expect(await ids(everyTypeModel, { since: '2024-03-01 13:00:00+01' })).toEqual([4, 5, 6]);
  });

  it('compares an integer cursor exactly, ignoring the lookback', async () => {
    expect(await ids(versionedModel, { since: '100' })).toEqual([2, 3, 4]);
    expect(await ids(versionedModel, { since: '100', lookbackSeconds: 86_400 })).toEqual([2, 3, 4]);
    expect(await fixture.source.count(versionedModel, 'acme', { since: '101' })).toBe(2);
  });

  it('applies the lookback to a date cursor', async () => {
    expect(await ids(datedModel, { since: '2024-03-01' })).toEqual([3, 4]);
    expect(await ids(datedModel, { since: '2024-03-01', lookbackSeconds: 86_400 })).toEqual([2, 3, 4]);
    // Half a day back reaches no earlier date: a date row counts from its midnight.
    expect(await ids(datedModel, { since: '2024-03-01', lookbackSeconds: 43_200 })).toEqual([3, 4]);
  });

  it('refuses a window on a model without a cursor, and a negative lookback', async () => {
    await expect(fixture.source.count(fullRefreshModel, 'acme', { since: '1' })).rejects.toThrow(
      /export model "full_refresh" has no cursor column.*read it in full/,
    );
    await expect(fixture.source.count(everyTypeModel, 'acme', { since: SINCE, lookbackSeconds: -1 })).rejects.toThrow(
      /lookback for export model "every_type" must be a number of seconds >= 0, got -1/,
    );
    expect(await fixture.source.count(fullRefreshModel, 'acme')).toBe(4);
  });
});
