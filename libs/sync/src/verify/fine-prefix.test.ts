import { describe, expect, it } from 'vitest';
import { finePrefix } from './verify-model.ts';

describe('finePrefix: fine buckets of a few rows each', () => {
  it.each([
    [0, 4],
    [50_000, 4],
    [1_000_000, 4],
    [1_048_576 * 4 - 1, 4],
    [1_048_576 * 4, 5],
    [5_000_000, 5],
    [100_000_000, 6],
    [10_000_000_000, 6],
  ])('%i rows: %i hex digits', (rows, digits) => {
    expect(finePrefix(rows)).toBe(digits);
  });
});
