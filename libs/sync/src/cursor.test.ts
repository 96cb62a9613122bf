import { describe, expect, it } from 'vitest';
import type { LogicalTypeKind } from '@ferry/schema';
import { compareCursors, lagSeconds, laterCursor } from './cursor.ts';

describe('compareCursors', () => {
  it('orders timestamps to the microsecond, whatever fraction digits the text has', () => {
    expect(compareCursors('2024-01-01 00:00:00+00', '2024-01-01 00:00:00.000001+00', 'timestamptz')).toBeLessThan(0);
    expect(compareCursors('2024-01-01 00:00:00.5+00', '2024-01-01 00:00:00.500000+00', 'timestamptz')).toBe(0);
    expect(compareCursors('2024-01-01 00:00:00.999999', '2024-01-01 00:00:01', 'timestamp')).toBeLessThan(0);
    expect(compareCursors('2024-01-02', '2024-01-01', 'date')).toBeGreaterThan(0);
  });

  it('orders integers and decimals exactly, beyond what a double holds', () => {
    expect(compareCursors('9', '10', 'bigint')).toBeLessThan(0);
    expect(compareCursors('9223372036854775807', '9223372036854775806', 'bigint')).toBeGreaterThan(0);
    expect(compareCursors('-2', '-10', 'integer')).toBeGreaterThan(0);
    expect(compareCursors('12345678901234567890.000000001', '12345678901234567890', 'numeric')).toBeGreaterThan(0);
    expect(compareCursors('0.10', '0.1', 'numeric')).toBe(0);
  });

  it('keeps the later watermark, treating null as nothing applied', () => {
    expect(laterCursor(null, '5', 'bigint')).toBe('5');
    expect(laterCursor('7', '5', 'bigint')).toBe('7');
    expect(laterCursor('2024-01-01 00:00:00.000002+00', '2024-01-01 00:00:00.000001+00', 'timestamptz')).toBe('2024-01-01 00:00:00.000002+00');
  });

  it('reports lag for timestamp watermarks', () => {
    expect(lagSeconds('2024-01-01 00:00:00+00', 'timestamptz', new Date('2024-01-01T00:01:30Z'))).toBe(90);
    expect(lagSeconds('5', 'bigint')).toBeNull();
  });
});

/** compareCursors' answer in words: its sign is what callers rely on. */
function order(a: string, b: string, kind: LogicalTypeKind): 'earlier' | 'same' | 'later' {
  const c = compareCursors(a, b, kind);
  return c < 0 ? 'earlier' : c > 0 ? 'later' : 'same';
}

describe('compareCursors on edge values', () => {
  it('orders a negative number below a positive one, and a positive above a negative one', () => {
    expect(order('-1', '1', 'bigint')).toBe('earlier');
    expect(order('1', '-1', 'bigint')).toBe('later');
    expect(order('-0.5', '0.25', 'numeric')).toBe('earlier');
  });

  it('orders two negative numbers by magnitude, reversed', () => {
    expect(order('-10', '-9', 'bigint')).toBe('earlier');
    expect(order('-9', '-10', 'bigint')).toBe('later');
    expect(order('-1.25', '-1.5', 'numeric')).toBe('later');
  });

  it('counts every spelling of zero as zero, whatever its sign, leading or trailing zeros', () => {
    expect(order('-0', '0', 'integer')).toBe('same');
    expect(order('-00', '0', 'integer')).toBe('same');
    expect(order('0', '-0.00', 'numeric')).toBe('same');
    expect(order('-.0', '+0', 'numeric')).toBe('same');
  });

  it('ignores leading zeros of the integer part and trailing zeros of the fraction only', () => {
    expect(order('007', '7', 'bigint')).toBe('same');
    expect(order('-007', '-7', 'bigint')).toBe('same');
    expect(order('0.05', '0.5', 'numeric')).toBe('earlier');
    expect(order('0.500', '0.5', 'numeric')).toBe('same');
    expect(order('1.0500', '1.05', 'numeric')).toBe('same');
    expect(order('100', '1', 'bigint')).toBe('later');
  });

  it('compares a fraction digit by digit, not by its length', () => {
    expect(order('1.1', '1.09', 'numeric')).toBe('later');
    expect(order('1.09', '1.1', 'numeric')).toBe('earlier');
    expect(order('2', '1.999999999999999999999', 'numeric')).toBe('later');
  });

  it('trims surrounding whitespace from numbers and times', () => {
    expect(order(' 5 ', '5', 'bigint')).toBe('same');
    expect(order(' 2024-01-01 00:00:00+00', '2024-01-01 00:00:00+00 ', 'timestamptz')).toBe('same');
  });

  it('orders dates and timestamps by day, then time of day, a date counting as its midnight', () => {
    expect(order('2024-01-01', '2024-01-02', 'date')).toBe('earlier');
    expect(order('2024-01-02', '2024-01-01', 'date')).toBe('later');
    expect(order('2024-01-01', '2024-01-01 00:00:00', 'timestamp')).toBe('same');
    expect(order('2024-01-01T00:00:01', '2024-01-01 00:00:01.000', 'timestamp')).toBe('same');
  });

  it('compares dates, timestamps and timestamptz as times, and every other kind as a number', () => {
    expect(order('2024-01-01 10:00:00', '2024-01-01 09:30:00', 'timestamp')).toBe('later');
    expect(order('2024-01-01 10:00:00+00', '2024-01-01 09:30:00+00', 'timestamptz')).toBe('later');
    expect(() => compareCursors('2024-01-01', '2024-01-02', 'bigint')).toThrow('not a canonical numeric cursor value: "2024-01-01"');
  });

  it('refuses text that is no cursor value of the kind, naming it', () => {
    expect(() => compareCursors('1e5', '1', 'numeric')).toThrow('not a canonical numeric cursor value: "1e5"');
    expect(() => compareCursors('1', 'abc', 'bigint')).toThrow('not a canonical numeric cursor value: "abc"');
    expect(() => compareCursors('yesterday', '2024-01-01', 'date')).toThrow('not a canonical date/time cursor value: "yesterday"');
    expect(() => compareCursors('2024-01-01', '24-01-01', 'timestamptz')).toThrow('not a canonical date/time cursor value: "24-01-01"');
    expect(() => compareCursors('on 2024-01-01', '2024-01-01', 'date')).toThrow('not a canonical date/time cursor value: "on 2024-01-01"');
  });
});

describe('laterCursor', () => {
  it('keeps the other watermark when one is null', () => {
    expect(laterCursor('5', null, 'bigint')).toBe('5');
    expect(laterCursor(null, null, 'bigint')).toBeNull();
  });

  it('keeps the later of two, whichever comes first', () => {
    expect(laterCursor('5', '7', 'bigint')).toBe('7');
    expect(laterCursor('10', '9', 'bigint')).toBe('10');
    expect(laterCursor('2024-01-02', '2024-01-01', 'date')).toBe('2024-01-02');
  });

  it('keeps the first of two equal watermarks, as it was spelt', () => {
    expect(laterCursor('5.0', '5', 'numeric')).toBe('5.0');
    expect(laterCursor('2024-01-01 00:00:00.5+00', '2024-01-01 00:00:00.500000+00', 'timestamptz')).toBe('2024-01-01 00:00:00.5+00');
  });
});

describe('lagSeconds', () => {
  const now = new Date('2024-01-01T00:01:30.400Z');

  it('reports the lag of timestamp and timestamptz watermarks, rounded to the second', () => {
    expect(lagSeconds('2024-01-01 00:00:00', 'timestamp', now)).toBe(90);
    expect(lagSeconds('2024-01-01 00:00:00.000001+00', 'timestamptz', now)).toBe(90);
    expect(lagSeconds('2024-01-01 00:00:00.9', 'timestamp', now)).toBe(90);
    expect(lagSeconds('2024-01-01 00:00:00.8', 'timestamp', new Date('2024-01-01T00:00:02.400Z'))).toBe(2);
  });

  it('reports no lag for a watermark in the future', () => {
    expect(lagSeconds('2024-01-01 00:05:00+00', 'timestamptz', now)).toBe(0);
  });

  it('reports nothing without a watermark, for other kinds, or for a time Date cannot hold', () => {
    expect(lagSeconds(null, 'timestamptz', now)).toBeNull();
    expect(lagSeconds(null, 'timestamp', now)).toBeNull();
    expect(lagSeconds('2024-01-01', 'date', now)).toBeNull();
    expect(lagSeconds('10000-01-01 00:00:00', 'timestamp', now)).toBeNull();
  });

  it('measures from the current time by default', () => {
    const lag = lagSeconds(new Date(Date.now() - 3_600_000).toISOString().replace('T', ' ').replace('Z', '+00'), 'timestamptz');
    expect(lag).toBeGreaterThanOrEqual(3599);
    expect(lag).toBeLessThanOrEqual(3601);
  });
});
