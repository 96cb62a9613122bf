import { describe, expect, it } from 'vitest';
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
