import { everyTypeModel } from './fixtures/source-models.ts';
import type { LogicalType } from '@ferry/schema';
import type { SliceRow } from './slices.ts';

/**
 * Rows of every logical type for round-trip tests (everyTypeModel from @ferry/sources/testing):
 * extremes, NULL against look-alikes, microseconds, NaN and infinities, unicode and JSON. Every
 * destination must give each value back exactly, as `comparable` compares it.
 */
export type Value = string | null;
export const TENANT = 'acme';
const MODEL = everyTypeModel;

/** The position of a model column in a row. */
export const column = (name: string) => MODEL.columns.findIndex((c) => c.name === name);

// Columns, in model order: tenant_id, id, note (text), Label (varchar(32)), small, regular, big,
// amount (numeric(38,9)), ratio (real), weight (double), flag, day, at_time, local_at (timestamp),
// updated_at (timestamptz, the cursor), order (json), ref (uuid).
// Each row is what the destination must hold, as Postgres spells it with TimeZone UTC; floats are
// compared as the float they read back as, JSON as the value it parses to (see `comparable`).
export const NESTED_JSON = String.raw`{"text": "größe 🚢 \"quoted\" back\\slash\nnew line", "escaped": "\ud83d\udea2 \u00e9", "big": 12345678901234567890123456789.123456789, "nested": {"deep": [true, false, null, {}, [], -0.5e-3]}, "c": null}`;
export const LARGEST: Value[] = [
  TENANT,
  '1',
  `Ünïcödé 🚢 👩‍👩‍👧 e\u0301 שלום مرحبا "double" 'single' back\\slash, comma;\ttab`,
  '🚢'.repeat(32),
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
  '2024-03-01 00:00:00+00',
  NESTED_JSON,
  'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
];
export const SMALLEST: Value[] = [
  TENANT,
  '2',
  '',
  'line1\nline2\r\nline3',
  '-32768',
  '-2147483648',
  '-9223372036854775808',
  '-99999999999999999999999999999.999999999',
  '-1e-45',
  '5e-324',
  'false',
  '0001-01-01',
  '00:00:00',
  '0001-01-01 00:00:00',
  '0001-01-01 00:00:00.000001+00',
  '[]',
  '00000000-0000-0000-0000-000000000000',
];
export const NULLS: Value[] = [TENANT, '3', ...Array<Value>(15).fill(null)];
export const LOOKALIKES: Value[] = [
  TENANT,
  '4',
  'NULL',
  '\\N',
  '0',
  '-1',
  '0',
  '0.000000001',
  '0.1',
  '0.1',
  'true',
  '2024-02-29',
  '12:00:00.5',
  '2024-02-29 23:59:59.999999',
  '2024-01-01 21:34:05.123456+00',
  '"just a string"',
  'ffffffff-ffff-ffff-ffff-ffffffffffff',
];
// The newest cursor of the first load: the next incremental read starts at it (>=), so this row is
// read again and must compare equal to what the destination holds, NaN and JSON null included.
export const SPECIALS: Value[] = [
  TENANT,
  '5',
  ' padded ',
  'a\n\\.\nb',
  null,
  null,
  null,
  '-0.000000001',
  'NaN',
  '-Infinity',
  null,
  '1970-01-01',
  '00:00:00.000001',
  '1969-12-31 23:59:59.999999',
  '2024-07-01 16:00:00.000001+00',
  'null',
  null,
];
export const SPECIALS_2: Value[] = [
  TENANT,
  '6',
  '"',
  '',
  null,
  null,
  null,
  '1.500000000',
  'Infinity',
  '-0',
  null,
  null,
  null,
  null,
  '2024-05-05 05:05:05.5+00',
  '{}',
  null,
];
export const FIRST_LOAD = [LARGEST, SMALLEST, NULLS, LOOKALIKES, SPECIALS, SPECIALS_2];

/** The second load: one row changed (its cursor moving to the latest microsecond there is), one new. */
export const UPDATED: Record<string, string> = {
  note: 'updated ✓ — “curly” ‘quotes’ 𝔘𝔫𝔦𝔠𝔬𝔡𝔢',
  amount: '-12345678901234567890123456789.123456789',
  weight: '2.2250738585072014e-308',
  local_at: '2000-01-01 00:00:00.000001',
  updated_at: '9999-12-31 23:59:59.999999+00',
};
export const LOOKALIKES_UPDATED = LOOKALIKES.map((value, i) => UPDATED[MODEL.columns[i]!.name] ?? value);
export const INSERTED: Value[] = [
  TENANT,
  '7',
  'new row\r\n',
  'x',
  '1',
  '2',
  '3',
  '4.000000005',
  '1.1754944e-38',
  '0.30000000000000004',
  'false',
  '2000-02-29',
  '23:59:59',
  '2000-02-29 00:00:00',
  '2025-01-01 00:00:00.123+00',
  '{"k": "v", "n": [1, 2, 3]}',
  'c0ffee00-0000-4000-8000-000000000001',
];
export const SECOND_LOAD = [LARGEST, SMALLEST, NULLS, LOOKALIKES_UPDATED, SPECIALS, SPECIALS_2, INSERTED];

/**
 * A value as the test compares it. Floats by the value they read back as: each engine picks its own
 * exact digits (`100` on Postgres is `100.0` on DuckDB), and -0 stays apart from 0. JSON by the
 * value it parses to: jsonb re-spaces and re-orders keys. The exact digits of a big JSON number,
 * which parsing would round, are checked as text separately.
 */
export function comparable(row: SliceRow): unknown[] {
  return row.map((value, i) => {
    const type: LogicalType = MODEL.columns[i]!.type;
    if (value === null) return null;
    if (type.kind === 'real' || type.kind === 'double') {
      const number = DUCKDB_SPECIAL_FLOATS[value] ?? Number(value);
      const float = type.kind === 'real' ? Math.fround(number) : number;
      return Object.is(float, -0) ? '-0' : String(float);
    }
    // Wrapped, so a JSON null stays apart from SQL NULL.
    return type.kind === 'json' ? { json: JSON.parse(value) } : value;
  });
}

/** DuckDB's own casts spell these so; Postgres and the transfer format as JavaScript does. */
const DUCKDB_SPECIAL_FLOATS: Readonly<Record<string, number>> = { nan: NaN, inf: Infinity, '-inf': -Infinity };

export const byTenantAndId = (a: SliceRow, b: SliceRow) => (a[0]! < b[0]! ? -1 : a[0]! > b[0]! ? 1 : Number(a[1]) - Number(b[1]));
