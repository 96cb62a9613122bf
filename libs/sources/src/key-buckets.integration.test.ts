import { createHash } from 'node:crypto';
import { dialects } from '@ferry/dialects';
import type { ExportModelSpec } from '@ferry/schema';
import { collectCsv } from '@ferry/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KeyBucket, SourceKind } from './source.ts';
import { bigintKeyModel, compositeKeyModel } from '@ferry/test';
import { openFixture, SOURCE_KINDS, type SourceFixture } from '@ferry/test';

const KEYS = 5000;
/** Every fifth row belongs to globex; the rest to acme. */
const ACME_KEYS = KEYS * 0.8;
const DELETED_SEQ = 1234;

/** The same rows on both engines: a uuid + text composite key (with a `|` and unicode) and a bigint. */
const INSERT_ROWS = `INSERT INTO "analytics"."composite_key"
  SELECT CASE WHEN i % 5 = 0 THEN 'globex' ELSE 'acme' END, CAST(md5(CAST(i AS VARCHAR)) AS UUID),
         'código|' || CAST(i % 7 AS VARCHAR), i
  FROM generate_series(1, ${KEYS}) AS g(i)`;

const MODELS: readonly ExportModelSpec[] = [compositeKeyModel, bigintKeyModel];

describe('key buckets on postgres and duckdb', () => {
  const fixtures: Partial<Record<SourceKind, SourceFixture>> = {};
  beforeAll(async () => {
    for (const kind of SOURCE_KINDS) {
      const fixture = await openFixture(kind);
      fixtures[kind] = fixture;
      await fixture.createTable(compositeKeyModel);
      await fixture.execute(INSERT_ROWS);
    }
  });
  afterAll(async () => {
    for (const fixture of Object.values(fixtures)) await fixture.close();
  });

  const bucketsOf = (kind: SourceKind, model: ExportModelSpec, prefix = 2) => fixtures[kind]!.source.keyBuckets(model, 'acme', prefix);
  /** The exported keys, one `|`-joined string each; these keys hold no comma or quote, so a record is its fields joined by commas. */
  const sortedKeys = async (kind: SourceKind, model: ExportModelSpec, buckets: readonly string[]) => {
    const csv = await collectCsv(fixtures[kind]!.source.exportKeysInBuckets(model, 'acme', 2, buckets));
    return csv
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => line.replaceAll(',', '|'))
      .sort();
  };

  it.each(MODELS.map((model) => [model.name, model] as const))('hash %s keys identically on both engines', async (_, model) => {
    for (const prefix of [1, 2]) {
      const postgres = await bucketsOf('postgres', model, prefix);
      expect(postgres).toHaveLength(16 ** prefix);
      expect(postgres.reduce((sum, bucket) => sum + bucket.count, 0)).toBe(ACME_KEYS);
      expect(postgres.every((bucket) => /^[0-9a-f]{32}$/.test(bucket.checksum))).toBe(true);
      expect(await bucketsOf('duckdb', model, prefix)).toEqual(postgres);
    }
  });

  it.each(MODELS.map((model) => [model.name, model] as const))(
    'sum md5-sum digests identically on both engines, as the md5 of each key text says',
    async (_, model) => {
      const keys = (
        await sortedKeys(
          'postgres',
          model,
          (await bucketsOf('postgres', model)).map((b) => b.bucket),
        )
      ).map(md5);
      expect(keys).toHaveLength(ACME_KEYS);
      // Digits 17-31 of each key's md5 as an integer, summed per bucket: computed here, apart from any engine.
      const expected = (prefix: number) => {
        const figures = new Map<string, { count: number; sum: bigint }>();
        for (const hash of keys) {
          const bucket = hash.slice(0, prefix);
          const { count, sum } = figures.get(bucket) ?? { count: 0, sum: 0n };
          figures.set(bucket, { count: count + 1, sum: sum + BigInt(`0x${hash.slice(16, 31)}`) });
        }
        return [...figures].sort(([a], [b]) => a.localeCompare(b)).map(([bucket, { count, sum }]) => ({ bucket, count, checksum: String(sum) }));
      };
      for (const prefix of [0, 1, 2]) {
        const postgres = await fixtures.postgres!.source.keyBuckets(model, 'acme', prefix, undefined, 'md5-sum');
        expect(postgres).toEqual(expected(prefix));
        expect(await fixtures.duckdb!.source.keyBuckets(model, 'acme', prefix, undefined, 'md5-sum')).toEqual(postgres);
        // The same buckets as md5's: only the digest differs.
        if (prefix > 0)
          expect(postgres.map((b) => [b.bucket, b.count])).toEqual((await bucketsOf('postgres', model, prefix)).map((b) => [b.bucket, b.count]));
      }
      // No keys: one bucket counting none, alike on both engines.
      const none = await fixtures.postgres!.source.keyBuckets(model, 'nobody', 0, undefined, 'md5-sum');
      expect(none).toEqual([{ bucket: '', count: 0, checksum: '0' }]);
      expect(await fixtures.duckdb!.source.keyBuckets(model, 'nobody', 0, undefined, 'md5-sum')).toEqual(none);
    },
  );

  it('list the same keys of a bucket on both engines, in canonical text', async () => {
    const buckets = (await bucketsOf('postgres', compositeKeyModel)).slice(0, 3);
    const keys = await sortedKeys(
      'postgres',
      compositeKeyModel,
      buckets.map((b) => b.bucket),
    );
    expect(keys).toHaveLength(buckets.reduce((sum, bucket) => sum + bucket.count, 0));
    expect(keys[0]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\|código\|\d$/);
    expect(
      await sortedKeys(
        'duckdb',
        compositeKeyModel,
        buckets.map((b) => b.bucket),
      ),
    ).toEqual(keys);
    expect(await sortedKeys('duckdb', compositeKeyModel, [])).toEqual([]);
    expect(await sortedKeys('postgres', compositeKeyModel, [])).toEqual([]);
  });

  it("change exactly one bucket when a key is deleted, and none for another tenant's delete", async () => {
    const before: Record<string, { buckets: KeyBucket[]; keys: string[] }> = {};
    for (const model of MODELS) {
      const bucket = bucketOfKey(DELETED_KEY[model.name]!);
      before[model.name] = { buckets: await bucketsOf('postgres', model), keys: await sortedKeys('postgres', model, [bucket]) };
      expect(before[model.name]!.keys).toContain(DELETED_KEY[model.name]!.join('|'));
    }
    for (const kind of SOURCE_KINDS) {
      await fixtures[kind]!.execute(
        `DELETE FROM "analytics"."composite_key" WHERE "seq" = ${DELETED_SEQ}`,
        `DELETE FROM "analytics"."composite_key" WHERE "seq" = ${DELETED_SEQ + 1}`, // globex's
      );
    }
    for (const model of MODELS) {
      const key = DELETED_KEY[model.name]!;
      const after = await bucketsOf('postgres', model);
      expect(await bucketsOf('duckdb', model)).toEqual(after);
      const changed = before[model.name]!.buckets.filter((bucket, i) => JSON.stringify(bucket) !== JSON.stringify(after[i]));
      expect(changed.map((bucket) => bucket.bucket)).toEqual([bucketOfKey(key)]);
      const now = after.find((bucket) => bucket.bucket === bucketOfKey(key))!;
      expect(now.count).toBe(changed[0]!.count - 1);
      expect(now.checksum).not.toBe(changed[0]!.checksum);
      const remaining = before[model.name]!.keys.filter((k) => k !== key.join('|'));
      for (const kind of SOURCE_KINDS) expect(await sortedKeys(kind, model, [now.bucket])).toEqual(remaining);
    }
  });
});

/** The deleted row's key per model, in canonical text: what both engines hash. */
const DELETED_KEY: Readonly<Record<string, readonly string[]>> = {
  [compositeKeyModel.name]: [md5(String(DELETED_SEQ)).replace(/^(.{8})(.{4})(.{4})(.{4})/, '$1-$2-$3-$4-'), `código|${DELETED_SEQ % 7}`],
  [bigintKeyModel.name]: [String(DELETED_SEQ)],
};

/** The bucket of a key as key-buckets.ts defines it, computed here independently of any engine. */
function bucketOfKey(key: readonly string[]): string {
  return md5(key.join('|')).slice(0, 2);
}

function md5(text: string): string {
  return createHash('md5').update(text, 'utf8').digest('hex');
}

/**
 * The `postgres` key hash (hashtextextended), which a Postgres source and a Postgres destination
 * use with each other: its buckets are the top hex digits of the 64-bit hash (negative ones too),
 * its digests change with the key set, and the keys listed for a bucket are the keys it counts.
 */
describe('the postgres key hash', () => {
  let fixture: SourceFixture;
  beforeAll(async () => {
    fixture = await openFixture('postgres');
    await fixture.createTable(compositeKeyModel);
    await fixture.execute(INSERT_ROWS);
  });
  afterAll(async () => {
    await fixture.close();
  });

  const bucketsOf = (prefix: number) => fixture.source.keyBuckets(bigintKeyModel, 'acme', prefix, undefined, 'postgres');
  /** Each acme key's hash, as Postgres computes it, in two's complement hex: what the buckets must be prefixes of. */
  const hashes = async () =>
    (await fixture.rows(`SELECT "seq", hashtextextended(CAST("seq" AS VARCHAR), 0) FROM "analytics"."composite_key" WHERE "tenant_id" = 'acme'`)).map(
      ([seq, hash]) => ({
        seq: String(seq),
        hex: BigInt.asUintN(64, BigInt(String(hash)))
          .toString(16)
          .padStart(16, '0'),
        value: BigInt(String(hash)),
      }),
    );

  it('is offered by Postgres only, and md5 stays the default', () => {
    expect(fixture.source.keyHashes).toEqual(['postgres', 'md5-sum', 'md5']);
    expect(dialects.duckdb.keyHashes).toEqual(['md5-sum', 'md5']);
    expect(() => dialects.duckdb.keyBucketsQuery('FROM t', ['"id"'], 2, 'postgres')).toThrow(/duckdb dialect cannot compute the postgres key hash/);
    expect(dialects.postgres.keyBucketsQuery('FROM t', ['"id"'], 2)).toContain('md5(');
  });

  it('buckets keys by the top hex digits of their hash, and digests a bucket as the sum of its hashes', async () => {
    const keys = await hashes();
    for (const prefix of [1, 2, 3]) {
      const expected = new Map<string, { count: number; sum: bigint }>();
      for (const { hex, value } of keys) {
        const figures = expected.get(hex.slice(0, prefix)) ?? { count: 0, sum: 0n };
        expected.set(hex.slice(0, prefix), { count: figures.count + 1, sum: figures.sum + value });
      }
      const buckets = await bucketsOf(prefix);
      expect(buckets.map((b) => [b.bucket, b.count, b.checksum])).toEqual(
        [...expected].sort(([a], [b]) => a.localeCompare(b)).map(([bucket, { count, sum }]) => [bucket, count, String(sum)]),
      );
    }
    // Negative hashes land in the upper half of the buckets, as their bits say.
    expect((await bucketsOf(1)).map((b) => b.bucket)).toEqual([...'0123456789abcdef']);
  });

  it('reports the whole key set as one bucket at prefix length 0: every key counted, the sum of every hash', async () => {
    const keys = await hashes();
    const sum = keys.reduce((total, k) => total + k.value, 0n);
    expect(await bucketsOf(0)).toEqual([{ bucket: '', count: keys.length, checksum: String(sum) }]);
    // No tenant rows: still one bucket, counting none, on both engines alike (the comparison sees equal sets).
    const none = await fixture.source.keyBuckets(bigintKeyModel, 'nobody', 0, undefined, 'postgres');
    expect(none.map((b) => [b.bucket, b.count])).toEqual([['', 0]]);
  });

  it("hashes a key's text alike whatever the column's collation, case-insensitive ones too", async () => {
    const buckets = () => fixture.source.keyBuckets(compositeKeyModel, 'acme', 2, undefined, 'postgres');
    const before = await buckets();
    await fixture.execute(
      `CREATE COLLATION ferry_case_insensitive (provider = icu, locale = 'und-u-ks-level2', deterministic = false)`,
      `ALTER TABLE "analytics"."composite_key" ALTER COLUMN "code" TYPE text COLLATE ferry_case_insensitive`,
    );
    expect(await buckets()).toEqual(before);
    // And a key whose case changed hashes differently: the collation does not hide it.
    await fixture.execute(`UPDATE "analytics"."composite_key" SET "code" = upper("code") WHERE "seq" = 7`);
    expect(await buckets()).not.toEqual(before);
  });

  it('changes one bucket when a key is deleted, and lists exactly the keys a bucket counts', async () => {
    const keys = await hashes();
    const deleted = keys.find((k) => k.seq === String(DELETED_SEQ))!;
    const before = await bucketsOf(2);
    await fixture.execute(`DELETE FROM "analytics"."composite_key" WHERE "seq" = ${DELETED_SEQ}`);
    const after = await bucketsOf(2);
    const changed = before.filter((bucket, i) => JSON.stringify(bucket) !== JSON.stringify(after[i]));
    expect(changed.map((b) => b.bucket)).toEqual([deleted.hex.slice(0, 2)]);
    const csv = await collectCsv(fixture.source.exportKeysInBuckets(bigintKeyModel, 'acme', 2, [deleted.hex.slice(0, 2)], undefined, 'postgres'));
    const listed = csv.split('\n').filter((line) => line !== '');
    expect(listed.sort()).toEqual(
      keys
        .filter((k) => k.seq !== deleted.seq && k.hex.startsWith(deleted.hex.slice(0, 2)))
        .map((k) => k.seq)
        .sort(),
    );
    expect(listed).toHaveLength(after.find((b) => b.bucket === deleted.hex.slice(0, 2))!.count);
  });
});
