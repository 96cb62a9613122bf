import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SourceKind } from './source.ts';
import { collectCsv, parseTransferCsv } from '@ferry/test';
import { everyTypeModel } from '@ferry/test';
// The smallest value of every type, and a row of NULLs: the rows every destination test loads too.
import { NULLS, openFixture, SMALLEST, SOURCE_KINDS, type SourceFixture, type Value } from '@ferry/test';

// Columns: tenant_id, id, note, Label, small, regular, big, amount, ratio, weight, flag, day,
// at_time, local_at, updated_at, order (json), ref (uuid). Each row is written as the canonical
// text the export must give back, except where INPUTS says otherwise.
const LARGEST: Value[] = [
  'acme',
  '1',
  `größe 🚢 "double" 'single' back\\slash, comma`,
  'tab\there  ',
  '32767',
  '2147483647',
  '9223372036854775807',
  '99999999999999999999999999999.999999999',
  '3.4028235e+38',
  '1.7976931348623157e+308',
  'true',
  '9999-12-31',
  '23:59:59.999999',
  '9999-12-31 23:59:59.999999',
  '9999-12-31 23:59:59.999999+00',
  '{"a": [1, 2.5, {"b": "größe 🚢", "q": "say \\"hi\\" \\\\ back"}], "c": null}',
  'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
];
const AWKWARD: Value[] = [
  'acme',
  '4',
  '"',
  ',',
  '0',
  '-1',
  '0',
  '0.000000001',
  '100',
  '1e+15',
  'true',
  '2024-02-29',
  '12:00:00.5',
  '2024-02-29 12:00:00.5',
  '2024-01-01 21:34:05.12+00',
  '"just a string"',
  'ffffffff-ffff-ffff-ffff-ffffffffffff',
];
const SPECIAL_FLOATS: Value[] = [
  'acme',
  '5',
  ' padded ',
  '\\N',
  null,
  null,
  null,
  '-0.000000001',
  'NaN',
  '-Infinity',
  null,
  null,
  null,
  null,
  '2024-07-01 16:00:00.000001+00',
  'null',
  null,
];
const SPECIAL_FLOATS_2: Value[] = ['acme', '6', '\\.', '\\', null, null, null, null, 'Infinity', '-0', null, null, null, null, null, '{}', null];

const EXPECTED = [LARGEST, SMALLEST, NULLS, AWKWARD, SPECIAL_FLOATS, SPECIAL_FLOATS_2];
const FLOAT_COLUMNS = [8, 9];

/**
 * Finite floats come out in each engine's own exact text: Postgres's above, DuckDB's here.
 * Both read back as the same float (see the cross-engine test below).
 */
const FLOAT_TEXT: Readonly<Record<SourceKind, Readonly<Record<string, string>>>> = {
  postgres: {},
  duckdb: { '100': '100.0', '1e+15': '1000000000000000.0', '-0': '-0.0' },
};

/** The expected rows as `kind` spells them. */
function expectedRows(kind: SourceKind): Value[][] {
  return EXPECTED.map((row) => row.map((value, c) => (FLOAT_COLUMNS.includes(c) && value !== null ? (FLOAT_TEXT[kind][value] ?? value) : value)));
}

/** Values written in another form than they come back in: an offset, a non-UTC session, upper-case hex. */
const INPUTS: Readonly<Record<string, Value[]>> = {
  4: AWKWARD.with(14, '2024-01-02 03:04:05.12+05:30'),
  5: SPECIAL_FLOATS.with(14, '2024-07-01 12:00:00.000001'),
};
const UPPER_CASE_UUID = 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11';

/** The same data written into a fresh source of `kind`, one row from a New York session. */
async function loaded(kind: SourceKind): Promise<SourceFixture> {
  const fixture = await openFixture(kind);
  await fixture.createTable(everyTypeModel);
  await fixture.insert(everyTypeModel, [LARGEST.with(16, UPPER_CASE_UUID), SMALLEST, NULLS, INPUTS[4]!, SPECIAL_FLOATS_2]);
  await fixture.execute(`SET TimeZone = 'America/New_York'`);
  await fixture.insert(everyTypeModel, [INPUTS[5]!]);
  return fixture;
}

const exported = async (fixture: SourceFixture) => collectCsv(fixture.source.exportCsv(everyTypeModel, 'acme'));
const byId = (rows: Value[][]) => [...rows].sort((a, b) => Number(a[1]) - Number(b[1]));

describe.each(SOURCE_KINDS)('%s source: every logical type in canonical text', (kind) => {
  let fixture: SourceFixture;
  beforeAll(async () => {
    fixture = await loaded(kind);
  });
  afterAll(() => fixture?.close());

  it('exports each value exactly as the transfer format spells it', async () => {
    const rows = byId(parseTransferCsv(await exported(fixture)));
    const expected = expectedRows(kind);
    expect(rows).toHaveLength(expected.length);
    rows.forEach((row, i) => {
      // Compared column by column, so a failure names the column and the row.
      everyTypeModel.columns.forEach((column, c) => {
        expect({ row: i + 1, column: column.name, value: row[c] }).toEqual({ row: i + 1, column: column.name, value: expected[i]![c] });
      });
    });
  });

  it('writes NULL as an empty field and the empty string as ""', async () => {
    const lines = (await exported(fixture)).split('\n');
    expect(lines.find((line) => line.startsWith('acme,3,'))).toBe(`acme,3${','.repeat(15)}`);
    expect(lines.find((line) => line.startsWith('acme,2,'))).toMatch(/^acme,2,"","line1$/);
  });

  it('quotes only what needs quotes and keeps text byte for byte', async () => {
    const csv = await exported(fixture);
    expect(csv).toContain(`acme,1,"größe 🚢 ""double"" 'single' back\\slash, comma",tab\there  ,32767,`);
    expect(csv).toContain(`,""""`); // the value `"`
    expect(csv).toContain(`acme,5, padded ,\\N,`);
  });

  it('emits every column of the model, in its order, in each record', async () => {
    for (const row of parseTransferCsv(await exported(fixture))) expect(row).toHaveLength(everyTypeModel.columns.length);
  });
});

describe('postgres and duckdb sources', () => {
  const fixtures: Partial<Record<SourceKind, SourceFixture>> = {};
  beforeAll(async () => {
    for (const kind of SOURCE_KINDS) fixtures[kind] = await loaded(kind);
  });
  afterAll(async () => {
    for (const fixture of Object.values(fixtures)) await fixture.close();
  });

  it('export the same data as the same values, every column but floats byte for byte', async () => {
    // Floats are compared as the values they read back as; the rest as text.
    const asValues = async (kind: SourceKind) =>
      byId(parseTransferCsv(await exported(fixtures[kind]!))).map((row) =>
        row.map((value, c) => (value !== null && FLOAT_COLUMNS.includes(c) ? String(c === 8 ? Math.fround(Number(value)) : Number(value)) : value)),
      );
    const postgres = await asValues('postgres');
    expect(postgres).toHaveLength(EXPECTED.length);
    expect(await asValues('duckdb')).toEqual(postgres);
  });

  it('write every float as text that reads back as exactly the same float', async () => {
    const values = floatSamples();
    for (const kind of SOURCE_KINDS) {
      const fixture = fixtures[kind]!;
      await fixture.createTable(floatModel);
      // Written as 17 significant digits, which pins down every double exactly.
      const text = (v: number) => (Object.is(v, -0) ? '-0' : v.toPrecision(17));
      await fixture.insert(
        floatModel,
        values.map((v, i) => ['floats', String(i), text(v), text(v)]),
      );
      const rows = byId(parseTransferCsv(await collectCsv(fixture.source.exportCsv(floatModel, 'floats'))));
      expect(rows).toHaveLength(values.length);
      rows.forEach(([, , real, double], i) => {
        expect({ kind, value: values[i], double: Number(double) }).toEqual({ kind, value: values[i], double: values[i] });
        expect({ kind, value: values[i], real: Math.fround(Number(real)) }).toEqual({ kind, value: values[i], real: Math.fround(values[i]!) });
      });
    }
  });
});

const floatModel = {
  ...everyTypeModel,
  name: 'floats',
  source: { schema: 'analytics', identifier: 'floats' },
  columns: [everyTypeModel.columns[0]!, everyTypeModel.columns[1]!, everyTypeModel.columns[8]!, everyTypeModel.columns[9]!],
};

/** Floats around every place a writer may switch between fixed and exponent notation. */
function floatSamples(): number[] {
  let seed = 42;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const values = [0, -0, 0.1, 1.5, 100, 1e15, 1e16, 123456789012345, 1234567.125, 1e-4, 1e-5, 1.5e-7];
  for (let exponent = -10; exponent <= 22; exponent++) {
    values.push(10 ** exponent, -(10 ** exponent), random() * 10 ** exponent, Math.round(random() * 10 ** exponent));
  }
  return values;
}
