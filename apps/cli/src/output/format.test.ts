import { describe, expect, it } from 'vitest';
import { formatDuration } from './format.ts';

describe('formatDuration', () => {
  it.each([
    [850, '850 ms'],
    [12_300, '12.3 s'],
    [245_000, '4 min 5 s'],
    [11_520_000, '3 h 12 min'],
    // A two-year lag, which status printed as "1013826 min 24 s".
    [1_013_826 * 60_000 + 24_000, '704 d 1 h'],
  ])('%d ms: the largest unit that fits and the next one down (%s)', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it.each([
    [59_960, '1 min'],
    [3_600_000, '1 h'],
    [86_400_000 + 59_000, '1 d'],
    [-5, '-5 ms'],
  ])('%d ms: no "60.0 s", no zero second unit, a sign when negative (%s)', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});
