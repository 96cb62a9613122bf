import { dialects } from '@ferry/dialects';
import { collectCsv } from '@ferry/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KeyBucket, SourceKind } from './source.ts';
import { sourceRelation } from './tenant-slice.ts';
import { everyTypeModel } from '@ferry/test';
import { openFixture, SOURCE_KINDS, sqlString, type SourceFixture, type Value } from '@ferry/test';

/**
 * Verify's in-warehouse digests (row-digests.ts in @ferry/dialects): one changed value, however
 * slight, changes its row's hash and so exactly one bucket's figures, and the bucket's listing
 * names the row by key. The changes are the ones a careless row text would miss: NULL against
 * '' and against the text `N`, a value moved across a column boundary, -0 against 0, one
 * microsecond.
 */
const ROWS = 200;
const TENANT = 'acme';
const PREFIX = 4;

interface Change {
  readonly what: string;
  /** Column -> value before, then after. */
  readonly before: Readonly<Record<string, Value>>;
  readonly after: Readonly<Record<string, Value>>;
}

const CHANGES: readonly Change[] = [
  { what: 'NULL to the empty string', before: { note: null }, after: { note: '' } },
  { what: 'NULL to the text N', before: { note: null }, after: { note: 'N' } },
  { what: 'a comma moved to the next column', before: { note: 'a,', Label: 'b' }, after: { note: 'a', Label: ',b' } },
  { what: '0 to -0', before: { weight: '0' }, after: { weight: '-0' } },
  { what: 'one microsecond', before: { updated_at: '2024-01-01 00:00:00+00' }, after: { updated_at: '2024-01-01 00:00:00.000001+00' } },
  { what: 'a JSON value', before: { order: '{"a": 1}' }, after: { order: '{"a": 2}' } },
  // Postgres folds a 64-bit value's own hash to 32 bits: these pairs would hash alike.
  { what: 'a bigint that wraps 32 bits', before: { big: '-1' }, after: { big: '4294967295' } },
  { what: 'a timestamp whose hash folds alike', before: { local_at: '2024-06-01 12:00:00' }, after: { local_at: '2024-06-01 10:48:25.032705' } },
  { what: 'the case of a letter', before: { note: 'Acme' }, after: { note: 'acme' } },
];

describe.each(SOURCE_KINDS)('row buckets on %s', (kind: SourceKind) => {
  let fixture: SourceFixture;
  const dialect = dialects[kind];
  const relation = sourceRelation(kind, everyTypeModel.source);
  const typeOf = (name: string) => everyTypeModel.columns.find((c) => c.name === name)!.type;
  const literal = (name: string, value: Value) => (value === null ? 'NULL' : `CAST(${sqlString(value)} AS ${dialect.columnType(typeOf(name))})`);
  const set = (id: number, values: Readonly<Record<string, Value>>) =>
    fixture.execute(
      `UPDATE ${relation} SET ${Object.entries(values)
        .map(([name, value]) => `${dialect.quoteIdentifier(name)} = ${literal(name, value)}`)
        .join(', ')} WHERE id = ${id}`,
    );
  const buckets = () => fixture.source.rowBuckets(everyTypeModel, TENANT, PREFIX);
  const differing = (left: readonly KeyBucket[], right: readonly KeyBucket[]) => {
    const figures = new Map(left.map((b) => [b.bucket, `${b.count}:${b.checksum}`]));
    return right.filter((b) => figures.get(b.bucket) !== `${b.count}:${b.checksum}`).map((b) => b.bucket);
  };
  /** The listing of some buckets: key columns, then the row hash. */
  const hashes = async (inBuckets: readonly string[]) =>
    (await collectCsv(fixture.source.exportRowHashesInBuckets(everyTypeModel, TENANT, PREFIX, inBuckets))).split('\n').filter((line) => line !== '');

  beforeAll(async () => {
    fixture = await openFixture(kind);
    await fixture.createTable(everyTypeModel);
    const rows = Array.from({ length: ROWS }, (_, i) => [TENANT, String(i + 1), `note ${i}`, 'label', ...Array<Value>(13).fill(null)]);
    await fixture.insert(everyTypeModel, [...rows, ['globex', '1', 'another tenant', ...Array<Value>(14).fill(null)]]);
  });
  afterAll(async () => {
    await fixture?.close();
  });

  it("counts the tenant's rows only, in buckets of the key hash", async () => {
    const figures = await buckets();
    expect(figures.reduce((sum, b) => sum + b.count, 0)).toBe(ROWS);
    expect(figures.every((b) => /^[0-9a-f]{4}$/.test(b.bucket) && /^-?[0-9]+$/.test(b.checksum))).toBe(true);
    expect(await buckets()).toEqual(expect.arrayContaining(figures));
  });

  it.each(CHANGES.map((change, i) => [change.what, change, i + 10] as const))('tells %s apart, naming the row', async (_, change, id) => {
    await set(id, change.before);
    const before = await buckets();
    await set(id, change.after);
    const after = await buckets();
    const changed = differing(before, after);
    expect(changed).toHaveLength(1);
    const listedAfter = await hashes(changed);
    await set(id, change.before);
    const listedBefore = await hashes(changed);
    // Key columns tenant_id and id, then the hash: the changed row is the one line that differs.
    expect(listedAfter.filter((line) => !listedBefore.includes(line)).map((line) => line.split(',').slice(0, 2).join(','))).toEqual([
      `${TENANT},${id}`,
    ]);
    expect(await buckets()).toEqual(expect.arrayContaining(before));
  });

  it('agrees across the declarations a column may have on the other side: wider integers, text of any length, JSON as text', async () => {
    const wider: Record<string, string> =
      kind === 'postgres'
        ? { id: 'bigint', note: 'varchar(500)', Label: 'text', small: 'integer', regular: 'bigint', amount: 'numeric', order: 'json' }
        : { id: 'BIGINT', small: 'INTEGER', regular: 'BIGINT', amount: 'DECIMAL(38,12)', order: 'VARCHAR' };
    const widened = { ...everyTypeModel, source: { ...everyTypeModel.source, identifier: 'every_type_wider' } };
    const columns = everyTypeModel.columns.map(({ name }) => {
      const column = dialect.quoteIdentifier(name);
      if (kind === 'postgres' && name === 'Label') return `CAST(${column} AS text) COLLATE "ferry_case_insensitive" AS ${column}`;
      return wider[name] === undefined ? column : `CAST(${column} AS ${wider[name]}) AS ${column}`;
    });
    await set(20, { order: '{"b": [1, 2.50], "a": null}', amount: '12.5', small: '-7', Label: 'MiXeD' });
    // A column with a case-insensitive collation still tells 'MiXeD' from 'mixed' (below).
    if (kind === 'postgres')
      await fixture.execute(
        `CREATE COLLATION IF NOT EXISTS ferry_case_insensitive (provider = icu, locale = 'und-u-ks-level2', deterministic = false)`,
      );
    await fixture.execute(`CREATE TABLE ${sourceRelation(kind, widened.source)} AS SELECT ${columns.join(', ')} FROM ${relation}`);
    expect(await fixture.source.rowBuckets(widened, TENANT, PREFIX)).toEqual(expect.arrayContaining(await buckets()));
    expect((await fixture.source.rowBuckets(widened, TENANT, PREFIX)).length).toBe((await buckets()).length);
    await fixture.execute(`UPDATE ${sourceRelation(kind, widened.source)} SET ${dialect.quoteIdentifier('Label')} = 'mixed' WHERE id = 20`);
    expect(differing(await buckets(), await fixture.source.rowBuckets(widened, TENANT, PREFIX))).toHaveLength(1);
  });

  it('lists nothing for no buckets and rejects a bucket that is not hex', async () => {
    expect(await hashes([])).toEqual([]);
    await expect(hashes(["0'; DROP TABLE x; --"])).rejects.toThrow(/not a key bucket/);
  });
});
