import { describe, expect, it } from 'vitest';
import { bucketPrefixLength } from './key-comparison.ts';

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
    expect(bucketPrefixLength(16 ** 5 * 1024)).toBe(5);
  });

  it('stops at six hex digits', () => {
    expect(bucketPrefixLength(16 ** 6 * 1024)).toBe(6);
    expect(bucketPrefixLength(16 ** 6 * 1024 + 1)).toBe(6);
    expect(bucketPrefixLength(Number.MAX_SAFE_INTEGER)).toBe(6);
  });
});
