import type { LogicalTypeKind } from '@ferry/schema';

/**
 * Orders two cursor values given as canonical text (see TRANSFER_FORMAT) without parsing them
 * into lossy JavaScript numbers or Dates: microseconds and 38-digit numerics compare exactly.
 */
export function compareCursors(a: string, b: string, kind: LogicalTypeKind): number {
  if (kind === 'date' || kind === 'timestamp' || kind === 'timestamptz') {
    return compareText(normalTime(a), normalTime(b));
  }
  return compareDecimals(a, b);
}

/** The later of two watermarks; null counts as "nothing applied yet". */
export function laterCursor(a: string | null, b: string | null, kind: LogicalTypeKind): string | null {
  if (a === null) return b;
  if (b === null) return a;
  return compareCursors(a, b, kind) >= 0 ? a : b;
}

/** `YYYY-MM-DD[ HH:MM:SS[.f{1,6}]][+00]` with the fraction padded to 6 digits, so text order is time order. */
function normalTime(value: string): string {
  const match = /^(\d{4,}-\d{2}-\d{2})(?:[ T](\d{2}:\d{2}:\d{2})(?:\.(\d{1,6}))?)?/.exec(value.trim());
  if (!match) throw new Error(`not a canonical date/time cursor value: ${JSON.stringify(value)}`);
  const [, date, time = '00:00:00', fraction = ''] = match;
  return `${date} ${time}.${fraction.padEnd(6, '0')}`;
}

function compareDecimals(a: string, b: string): number {
  const [signA, intA, fracA] = splitDecimal(a);
  const [signB, intB, fracB] = splitDecimal(b);
  if (signA !== signB) return signA - signB;
  const width = Math.max(fracA.length, fracB.length);
  const left = intA.padStart(64, '0') + fracA.padEnd(width, '0');
  const right = intB.padStart(64, '0') + fracB.padEnd(width, '0');
  return signA * compareText(left, right);
}

/**
 * Code-unit order of two strings of the same shape (digits in the same places, the same
 * separators), which is their time or numeric order. Not localeCompare: its first call builds a
 * collator, milliseconds that every sync would pay on start.
 */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function splitDecimal(value: string): [sign: 1 | -1, integer: string, fraction: string] {
  const match = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(value.trim());
  if (!match) throw new Error(`not a canonical numeric cursor value: ${JSON.stringify(value)}`);
  const [, sign, integer = '', fraction = ''] = match;
  const digits = integer.replace(/^0+/, '');
  const frac = fraction.replace(/0+$/, '');
  const isZero = digits === '' && frac === '';
  return [sign === '-' && !isZero ? -1 : 1, digits, frac];
}

/** Seconds from a timestamp watermark to now: how far behind the destination is. Null for other kinds. */
export function lagSeconds(watermark: string | null, kind: LogicalTypeKind, now = new Date()): number | null {
  if (watermark === null || (kind !== 'timestamp' && kind !== 'timestamptz')) return null;
  const millis = Date.parse(`${normalTime(watermark).replace(' ', 'T').slice(0, 23)}Z`);
  return Number.isNaN(millis) ? null : Math.max(0, Math.round((now.getTime() - millis) / 1000));
}
