import { describe, expect, it } from 'vitest';
import { bucketPrefixLength, lackedFromFigures, uniqueByJoin, uniqueOnBothSides } from './key-comparison.ts';

describe('bucketPrefixLength', () => {
  it('uses one hex digit (16 buckets) up to 16 buckets of 1024 keys, however few the keys', () => {
    expect(bucketPrefixLength(0)).toBe(1);
    expect(bucketPrefixLength(1)).toBe(1);
    expect(bucketPrefixLength(1024)).toBe(1);
    expect(bucketPrefixLength(16 * 1024)).toBe(1);
  });

  it('adds a hex digit each time the keys outgrow 1024 per bucket', () => {
    expect(bucketPrefixLength(16 * 1024 + 1)).toBe(2);
    expect(bucketPrefixLength(256 * 1024)).toBe(2);
    expect(bucketPrefixLength(256 * 1024 + 1)).toBe(3);
    expect(bucketPrefixLength(16 ** 3 * 1024)).toBe(3);
  });

  it('stops at four hex digits (65,536 buckets, whose figures Ferry holds)', () => {
    expect(bucketPrefixLength(16 ** 4 * 1024)).toBe(4);
    expect(bucketPrefixLength(16 ** 4 * 1024 + 1)).toBe(4);
    expect(bucketPrefixLength(Number.MAX_SAFE_INTEGER)).toBe(4);
  });

  it('sizes buckets from the differences when told them: about √(differences × keys) buckets', () => {
    // 100 differences in 5M keys: √(5e8) ≈ 22,360 buckets, four hex digits (16^3 is too few).
    expect(bucketPrefixLength(5_000_000, 100)).toBe(4);
    // 10k: √(5e10) ≈ 223,607 buckets, held to 16^4.
    expect(bucketPrefixLength(5_000_000, 10_000)).toBe(4);
    // One difference in 5M keys: √5M ≈ 2,236 buckets, three digits (4,096 buckets of ~1,200 keys).
    expect(bucketPrefixLength(5_000_000, 1)).toBe(3);
    // Zero counts as one: the counts can be equal while the key sets differ.
    expect(bucketPrefixLength(5_000_000, 0)).toBe(3);
    expect(bucketPrefixLength(0, 0)).toBe(1);
  });

  it('keeps at least 8 keys a bucket when the differences are many', () => {
    // 500 of 20k: √ says 3,162 buckets (three digits), the floor 2,500 (still three).
    expect(bucketPrefixLength(20_000, 500)).toBe(3);
    // 1k of 20k: √ says 4,472 (four digits), the floor 2,500 (three).
    expect(bucketPrefixLength(20_000, 1_000)).toBe(3);
    expect(bucketPrefixLength(100, 100)).toBe(1);
  });
});

describe('lackedFromFigures', () => {
  it('counts the listed keys no destination key matched: listed less the destination keys kept', () => {
    // 5 listed; the destination held 4 in those buckets, 1 of them not listed (found, deleted): 3 matched, 2 lacked.
    expect(lackedFromFigures(5, 4, 1, 't')).toBe(2);
    expect(lackedFromFigures(3, 3, 0, 't')).toBe(0);
    // Buckets only the destination has: every key there is found.
    expect(lackedFromFigures(0, 2, 2, 't')).toBe(0);
  });

  it('refuses a destination that lost rows between the figures and the anti-join, naming the table', () => {
    expect(() => lackedFromFigures(2, 4, 1, '"ferry"."orders"')).toThrow(
      'the destination table "ferry"."orders" lost rows while Ferry compared its keys (another writer changed it)',
    );
  });
});

describe('uniqueOnBothSides', () => {
  const where = { model: 'orders', primaryKey: ['id'], tenant: 'acme', target: '"ferry"."orders"' };

  it('passes the lacked count on when the listed keys the destination holds are its rows not found deleted', () => {
    // 5 listed, 2 of them lacked; the destination held 4 in those buckets, 1 found deleted: 3 = 3.
    expect(uniqueOnBothSides(5, 2, 4, 1, where)).toBe(2);
    expect(uniqueOnBothSides(0, 0, 2, 2, where)).toBe(0);
  });

  it('refuses a destination holding a key twice: more rows held than listed keys matched', () => {
    expect(() => uniqueOnBothSides(3, 0, 4, 0, where)).toThrow(
      'tenant "acme": the destination table "ferry"."orders" holds a primary key in more than one row (written by something other than Ferry, or loaded before Ferry checked keys): run `ferry sync --full-refresh` for model orders to reload it. No row was deleted, and the next sync checks again',
    );
  });

  it('refuses a source listing a key twice: more listed keys matched than rows held', () => {
    expect(() => uniqueOnBothSides(4, 0, 3, 0, where)).toThrow(
      /^tenant "acme": the source holds a primary key of model orders in more than one row: make the key unique/,
    );
  });
});

describe('uniqueByJoin (md5 pairs)', () => {
  const where = { model: 'order_lines', primaryKey: ['order_no', 'line_no'], tenant: 'acme', target: '"ferry"."order_lines"' };

  it('passes the lacked count on when each listed key the destination holds matched one row', () => {
    // 5 listed, 2 lacked, 3 held: 3 pairs.
    expect(uniqueByJoin(5, 2, 3, undefined, where)).toBe(2);
    expect(uniqueByJoin(0, 0, 0, undefined, where)).toBe(0);
  });

  it('refuses a source listing a key twice, naming the key', () => {
    expect(() => uniqueByJoin(4, 0, 4, ['1001', '2'], where)).toThrow(
      'tenant "acme": the source holds a primary key of model order_lines in more than one row, (order_no, line_no) = (1001, 2): make the key unique in the dbt model (a dbt `unique` test catches this at build time). No row was deleted, and the next sync checks again',
    );
  });

  it('refuses a destination holding a listed key twice: more pairs than listed keys held', () => {
    expect(() => uniqueByJoin(3, 0, 4, undefined, where)).toThrow(
      /^tenant "acme": the destination table "ferry"."order_lines" holds a primary key in more than one row .*run `ferry sync --full-refresh` for model order_lines/,
    );
    expect(() => uniqueByJoin(3, 1, 3, undefined, where)).toThrow(/holds a primary key in more than one row/);
  });
});
