import { canonicalFloat } from '../canonical-float.ts';

/**
 * Result values as snowflake-sdk hands them over, turned into the transfer format's canonical
 * text. The SDK is asked for numbers and JSON as the strings Snowflake sent (exact digits at the
 * column's scale, VARIANT text with every digit); dates and timestamps come as its date objects,
 * whose epoch seconds and nanoseconds are formatted here in UTC, so no session output format can
 * round them to milliseconds; times come as text in the session's TIME_OUTPUT_FORMAT, which
 * `SNOWFLAKE_SESSION_PARAMETERS` sets to nanoseconds.
 */

/** The SDK's fetchAsString types that keep Snowflake's own text: NUMBER/FLOAT and VARIANT/OBJECT/ARRAY. */
export const FETCH_AS_STRING = ['Number', 'JSON'] as const;

/**
 * Session parameters every Ferry session sets: UTC for TIMESTAMP_LTZ and CURRENT_TIMESTAMP,
 * nanosecond times (canonicalText trims them), and quoted identifiers keeping their case, which
 * Ferry's folding relies on (an account may set QUOTED_IDENTIFIERS_IGNORE_CASE), and input
 * formats that detect the transfer format's ISO text whatever the account's defaults are.
 */
export const SNOWFLAKE_SESSION_PARAMETERS =
  `ALTER SESSION SET TIMEZONE = 'UTC' TIME_OUTPUT_FORMAT = 'HH24:MI:SS.FF9' QUOTED_IDENTIFIERS_IGNORE_CASE = FALSE ` +
  `DATE_INPUT_FORMAT = 'AUTO' TIME_INPUT_FORMAT = 'AUTO' TIMESTAMP_INPUT_FORMAT = 'AUTO'`;

/** The SDK's date object for DATE and TIMESTAMP_* values. */
interface SnowflakeDate {
  getEpochSeconds(): number;
  getNanoSeconds(): number;
}

/** `.ffffff` from nanoseconds, trailing zeros trimmed as Postgres prints it; empty for a whole second. */
function fraction(nanoseconds: number): string {
  const digits = String(Math.floor(nanoseconds / 1000))
    .padStart(6, '0')
    .replace(/0+$/, '');
  return digits === '' ? '' : `.${digits}`;
}

/** `YYYY-MM-DD HH:MM:SS[.ffffff]` in UTC. */
function timestampText(value: SnowflakeDate): string {
  const iso = new Date(value.getEpochSeconds() * 1000).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${fraction(value.getNanoSeconds())}`;
}

/**
 * One value as canonical text, by its column's Snowflake type (`Column.getType()`: fixed, real,
 * text, boolean, date, time, timestamp_ntz/ltz/tz, variant, object, array, binary).
 */
export function canonicalText(value: unknown, type: string): string | null {
  if (value === null || value === undefined) return null;
  switch (type) {
    case 'real':
      return canonicalFloat(String(value));
    case 'boolean':
      return value === true ? 'true' : 'false';
    case 'date':
      return timestampText(value as SnowflakeDate).slice(0, 10);
    case 'time': {
      // HH24:MI:SS.FF9, from the session parameters.
      const [clock = '', nanoseconds = '0'] = String(value).split('.');
      return clock + fraction(Number(nanoseconds.padEnd(9, '0')));
    }
    case 'timestamp_ntz':
      return timestampText(value as SnowflakeDate);
    case 'timestamp_ltz':
    case 'timestamp_tz':
      // The epoch seconds are the instant; the offset only says where it was observed.
      return `${timestampText(value as SnowflakeDate)}+00`;
    case 'binary':
      return Buffer.isBuffer(value) ? value.toString('hex') : String(value);
    default:
      return String(value);
  }
}
