import type { Random } from '../prng.ts';

/** Timestamps are microseconds since the Unix epoch, kept as exact integers in a double. */
export const SECOND = 1_000_000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/** Messages are sent during the 90 days from 2025-01-01 00:00 UTC. */
export const WINDOW_START = Date.UTC(2025, 0, 1) * 1000;
export const WINDOW_LENGTH = 90 * DAY;

/** A random instant in [from, from + span], to the microsecond. */
export function within(random: Random, from: number, span: number): number {
  // Two draws: one 32-bit draw cannot reach every microsecond of a 90-day span.
  return from + Math.floor(random.float() * Math.floor(span / SECOND)) * SECOND + random.int(0, SECOND - 1);
}
