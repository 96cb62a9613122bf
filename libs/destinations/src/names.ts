import { createHash } from 'node:crypto';
import type { Dialect } from '@ferry/dialects';

/** Prefix of every helper table Ferry creates, so a customer can tell them from their own. */
export const SCRATCH_PREFIX = '_ferry_';

/** A name's length in the unit the dialect counts. */
function lengthIn(dialect: Dialect, name: string): number {
  return dialect.tableNameLimit.unit === 'bytes' ? Buffer.byteLength(name, 'utf8') : [...name].length;
}

/** Whether a table name fits the dialect's limit. */
export function fitsTableNameLimit(dialect: Dialect, name: string): boolean {
  return lengthIn(dialect, name) <= dialect.tableNameLimit.max;
}

/**
 * The longest prefix of `name` that fits in `max` units of the dialect, never splitting a
 * character: Postgres truncates on a byte boundary and would otherwise store half a code point.
 */
export function clipName(dialect: Dialect, name: string, max: number): string {
  let clipped = '';
  for (const character of name) {
    if (lengthIn(dialect, clipped + character) > max) break;
    clipped += character;
  }
  return clipped;
}

/**
 * The unquoted name of a Ferry-owned helper table: `_ferry_<name>`, or when that is too long,
 * a clipped name plus a hash of the whole one, so two long names never share a helper table.
 * @example scratchName(postgres, 'staging_messages') // '_ferry_staging_messages'
 */
export function scratchName(dialect: Dialect, name: string): string {
  const full = `${SCRATCH_PREFIX}${name}`;
  if (fitsTableNameLimit(dialect, full)) return full;
  const hash = `_${createHash('sha256').update(name).digest('hex').slice(0, 8)}`;
  return clipName(dialect, full, dialect.tableNameLimit.max - hash.length) + hash;
}

/**
 * The unquoted name of a table Ferry keeps beside a destination table, named after it:
 * `<table>__ferry_<role>` (the shadow copy a rebuild fills, a previous table kept whole). When
 * that is longer than the dialect allows, the table name is clipped and a hash of the whole name
 * added, so the name always fits and two tables sharing a long prefix never share a helper.
 * @example besideTableName(postgres, 'messages', 'shadow') // 'messages__ferry_shadow'
 */
export function besideTableName(dialect: Dialect, table: string, role: string): string {
  const suffix = `__ferry_${role}`;
  if (fitsTableNameLimit(dialect, table + suffix)) return table + suffix;
  const hash = `_${createHash('sha256').update(table).digest('hex').slice(0, 8)}`;
  return clipName(dialect, table, dialect.tableNameLimit.max - lengthIn(dialect, hash + suffix)) + hash + suffix;
}
