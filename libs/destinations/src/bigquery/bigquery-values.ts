import { canonicalFloat } from '../canonical-float.ts';
import { MalformedCsvError, type TransferRecord } from '../transfer-csv-records.ts';

/** A column of a query result or table as the BigQuery API describes it. */
export interface BigQueryField {
  readonly name: string;
  /** The API's type name: legacy (`INTEGER`, `FLOAT`, `BOOLEAN`) or standard (`INT64`, `FLOAT64`, `BOOL`). */
  readonly type: string;
  readonly mode?: string;
  readonly precision?: string;
  readonly scale?: string;
  readonly maxLength?: string;
}

/** The standard SQL name of an API type name. */
const STANDARD_TYPE: Readonly<Record<string, string>> = {
  INTEGER: 'INT64',
  FLOAT: 'FLOAT64',
  BOOLEAN: 'BOOL',
  RECORD: 'STRUCT',
  BIGDECIMAL: 'BIGNUMERIC',
};

/**
 * A field's type as BigQuery's DDL spells it, parameters included: `INT64`, `NUMERIC(38,9)`,
 * `STRING(64)`, `JSON`. This is what introspection reports and what an ADD COLUMN can reuse.
 */
export function bigqueryTypeName(field: BigQueryField): string {
  const base = STANDARD_TYPE[field.type] ?? field.type;
  if ((base === 'NUMERIC' || base === 'BIGNUMERIC') && field.precision !== undefined) {
    return `${base}(${field.precision}${field.scale === undefined ? '' : `,${field.scale}`})`;
  }
  if ((base === 'STRING' || base === 'BYTES') && field.maxLength !== undefined) return `${base}(${field.maxLength})`;
  return base;
}

const MICROS_PER_DAY = 86_400_000_000n;

/**
 * One value of a query result (the API's raw `v`, timestamps as int64 microseconds) as canonical
 * text: booleans `true`/`false`, floats that read back as the same float (`NaN`, `-0`),
 * NUMERIC in plain digits, times without trailing zeros in the fraction, DATETIME with a space,
 * TIMESTAMP in UTC with `+00`. JSON and strings pass through.
 */
export function canonicalText(raw: unknown, field: BigQueryField): string | null {
  if (raw === null || raw === undefined) return null;
  if (typeof raw !== 'string') return JSON.stringify(raw);
  switch (STANDARD_TYPE[field.type] ?? field.type) {
    case 'FLOAT64':
      return canonicalFloat(raw);
    case 'NUMERIC':
    case 'BIGNUMERIC':
      return plainDecimal(raw, field.scale === undefined ? undefined : Number(field.scale));
    case 'TIME':
      return trimFraction(raw);
    case 'DATETIME':
      return trimFraction(raw.replace('T', ' '));
    case 'TIMESTAMP':
      return timestampText(raw);
    default:
      return raw;
  }
}

/**
 * A decimal in plain digits (no exponent). With `scale`, exactly that many fraction digits;
 * without, the digits the value came with: BigQuery trims trailing zeros, the emulator keeps its
 * column's scale (`1.500000000`, `-1E-9` for -0.000000001).
 */
export function plainDecimal(raw: string, scale?: number): string {
  const match = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(raw.trim());
  if (!match) return raw;
  const [, sign, integer = '', fraction = '', exponent = '0'] = match;
  let digits = integer + fraction;
  let point = integer.length + Number(exponent);
  if (point < 0) {
    digits = '0'.repeat(-point) + digits;
    point = 0;
  }
  if (point > digits.length) digits += '0'.repeat(point - digits.length);
  let whole = digits.slice(0, point).replace(/^0+(?=\d)/, '') || '0';
  let frac = digits.slice(point);
  if (scale !== undefined) frac = frac.length > scale ? frac.slice(0, scale) : frac.padEnd(scale, '0');
  const zero = /^0*$/.test(whole + frac);
  whole = whole === '' ? '0' : whole;
  return `${sign === '-' && !zero ? '-' : ''}${whole}${frac === '' ? '' : `.${frac}`}`;
}

/** `HH:MM:SS.500000` -> `HH:MM:SS.5`, as Postgres prints times. */
function trimFraction(text: string): string {
  return text.replace(/\.(\d*?)0+$/, (_, kept: string) => (kept === '' ? '' : `.${kept}`));
}

/**
 * A TIMESTAMP as `YYYY-MM-DD HH:MM:SS[.ffffff]+00`, from int64 microseconds since the epoch
 * (exact for years 0001..9999, where JavaScript Dates would round the microseconds), or from
 * an ISO text, which some endpoints return instead.
 */
export function timestampText(raw: string): string {
  if (!/^-?\d+$/.test(raw)) return `${trimFraction(raw.replace('T', ' ').replace(/(Z|[+-]00(:?00)?)$/, ''))}+00`;
  const micros = BigInt(raw);
  let days = micros / MICROS_PER_DAY;
  let rest = micros % MICROS_PER_DAY;
  if (rest < 0n) {
    rest += MICROS_PER_DAY;
    days -= 1n;
  }
  const [year, month, day] = civilFromDays(Number(days));
  const seconds = Number(rest / 1_000_000n);
  const fraction = (rest % 1_000_000n).toString().padStart(6, '0').replace(/0+$/, '');
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  const time = `${pad(Math.floor(seconds / 3600))}:${pad(Math.floor(seconds / 60) % 60)}:${pad(seconds % 60)}`;
  return `${pad(year, 4)}-${pad(month)}-${pad(day)} ${time}${fraction === '' ? '' : `.${fraction}`}+00`;
}

/** Days since 1970-01-01 -> proleptic Gregorian [year, month, day] (Howard Hinnant's algorithm). */
function civilFromDays(daysSinceEpoch: number): [number, number, number] {
  const z = daysSinceEpoch + 719_468;
  const era = Math.floor(z / 146_097);
  const dayOfEra = z - era * 146_097;
  const yearOfEra = Math.floor((dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36_524) - Math.floor(dayOfEra / 146_096)) / 365);
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const shiftedMonth = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * shiftedMonth + 2) / 5) + 1;
  const month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9;
  return [yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day];
}

/** How a load writes one column's canonical text into NDJSON. */
export type LoadEncoding = 'text' | 'boolean' | 'json';

/** The load encoding for a column of the given API type. */
export function loadEncoding(field: BigQueryField): LoadEncoding {
  const type = STANDARD_TYPE[field.type] ?? field.type;
  return type === 'JSON' ? 'json' : type === 'BOOL' ? 'boolean' : 'text';
}

/**
 * One transfer-format record as an NDJSON line for a load job. Every value is a JSON string
 * (BigQuery parses INT64, NUMERIC, FLOAT64 `NaN`, dates and timestamps from their text, exactly)
 * except booleans, written as JSON booleans (the transfer format also allows t/f), and JSON
 * columns, written inline: a JSON string there would be stored as a JSON string value. NULL
 * leaves the key out. Inline JSON keeps no line breaks: outside strings they are whitespace and
 * inside a JSON string they cannot occur unescaped.
 * @param names the NDJSON keys: the columns' names, already JSON-quoted
 */
export function ndjsonLine(record: TransferRecord, names: readonly string[], encodings: readonly LoadEncoding[]): string {
  const parts: string[] = [];
  record.forEach((value, i) => {
    if (value === null) return;
    const encoding = encodings[i];
    const json = encoding === 'json' ? inlineJson(value) : encoding === 'boolean' ? booleanJson(value) : JSON.stringify(value);
    parts.push(`${names[i]}:${json}`);
  });
  return `{${parts.join(',')}}\n`;
}

/** A JSON column's text, inline on one line; empty text is no JSON value at all. */
function inlineJson(value: string): string {
  if (value.trim() === '')
    throw new MalformedCsvError('a JSON field holds empty text, which is no JSON value: the transfer format writes NULL as an empty unquoted field');
  return value.replace(/[\r\n]/g, ' ');
}

/** A boolean field as JSON; anything but the transfer format's spellings is refused, never read as false. */
function booleanJson(value: string): string {
  if (value === 't' || value === 'true') return 'true';
  if (value === 'f' || value === 'false') return 'false';
  throw new MalformedCsvError(`a boolean field holds ${JSON.stringify(value.slice(0, 40))}: the transfer format writes true/false (or t/f)`);
}

/** A table named by its project, dataset and table id. */
export interface TableName {
  readonly projectId: string;
  readonly datasetId: string;
  readonly tableId: string;
}

/**
 * The parts of a relation Ferry quoted itself: `` `project`.`dataset`.`table` `` with the escapes
 * of quoteWithBackticks (`\\`, `` \` ``, `\uXXXX`). Undefined for anything else.
 */
export function parseRelation(relation: string): TableName | undefined {
  const parts: string[] = [];
  const pattern = /`((?:[^`\\]|\\.)*)`(\.|$)/gy;
  const text = relation.trim();
  let match: RegExpExecArray | null;
  while ((match = pattern.exec(text)) !== null) {
    parts.push(
      match[1]!.replace(/\\u([0-9a-fA-F]{4})|\\(.)/g, (_, hex: string | undefined, character: string) =>
        hex ? String.fromCharCode(parseInt(hex, 16)) : character,
      ),
    );
    if (match[2] === '') break;
  }
  if (parts.length !== 3) return undefined;
  const [projectId, datasetId, tableId] = parts as [string, string, string];
  return { projectId, datasetId, tableId };
}
