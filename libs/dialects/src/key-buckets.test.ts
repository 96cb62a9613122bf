import { describe, expect, it } from 'vitest';
import { dialects } from './index.ts';

describe('key buckets spliced into SQL', () => {
  it('names a bucket in the form each hash groups by: hex text for md5, the integer of its digits for the postgres hash', () => {
    expect(dialects.postgres.keyInBucketsCondition(['"id"'], 2, ['0f', 'ab'])).toMatch(/SUBSTR\(.*, 1, 2\) IN \('0f', 'ab'\)$/);
    expect(dialects.postgres.keyInBucketsCondition(['"id"'], 2, ['0f', 'ab'], 'postgres')).toMatch(/ >> 56\) & 255\) IN \(15, 171\)$/);
    // 15 digits, the longest: the integer is past 2^53, so it must not pass through a float.
    expect(dialects.postgres.keyInBucketsCondition(['"id"'], 15, ['fffffffffffffff'], 'postgres')).toMatch(/IN \(1152921504606846975\)$/);
  });

  it.each(['md5', 'postgres'] as const)('refuses, with the %s hash, a bucket that is not exactly the prefix length in lower-case hex', (hash) => {
    for (const bucket of ["0'; DROP TABLE x; --", 'abc', 'a', 'AB', '0x']) {
      expect(() => dialects.postgres.keyInBucketsCondition(['"id"'], 2, [bucket], hash)).toThrow(/not a key bucket of 2 hex digits/);
    }
  });

  it("lists the whole key set (prefix length 0, bucket '') without hashing a key, and refuses any other bucket with it", () => {
    const from = 'FROM "s"."t"';
    expect(dialects.postgres.keysInBucketsQuery(from, ['"id"'], 0, [''], 'md5-sum')).toBe('SELECT CAST("id" AS VARCHAR) AS "id" FROM "s"."t"');
    const missing = dialects.duckdb.insertMissingKeys('"d"', '"t"', '"k"', ['"id"'], 0, [''], 'md5-sum');
    expect(missing).not.toMatch(/md5/i);
    expect(missing).toMatch(/WHERE k\."id" IS NULL$/);
    for (const buckets of [[], ['0'], ['', '']]) {
      expect(() => dialects.postgres.keysInBucketsQuery(from, ['"id"'], 0, buckets, 'md5-sum')).toThrow(/the whole key set is the one bucket ''/);
    }
  });
});
