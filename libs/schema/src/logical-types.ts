/**
 * Ferry's logical type system: the one vocabulary between dbt contracts, the generated code
 * and every destination dialect. A dbt `data_type` is parsed into a LogicalType once, by the
 * generator; each dialect maps LogicalTypes to its own column types (see libs/dialects).
 *
 * | logical     | accepted dbt data_type spellings                                  | TypeScript | why that TS type          |
 * |-------------|-------------------------------------------------------------------|------------|---------------------------|
 * | text        | text, string, varchar / character varying (no length)            | string     |                           |
 * | varchar(n)  | varchar(n), character varying(n), char(n)*, nvarchar(n)           | string     |                           |
 * | smallint    | smallint, int2                                                    | number     | fits a double exactly     |
 * | integer     | integer, int, int4                                                | number     | fits a double exactly     |
 * | bigint      | bigint, int8                                                      | string     | 64-bit exceeds a double   |
 * | numeric     | numeric(p,s), decimal(p,s), number(p,s); p in 1..38, s in 0..p    | string     | exact decimal             |
 * | real        | real, float4                                                      | number     |                           |
 * | double      | double precision, double, float, float8, float64                  | number     |                           |
 * | boolean     | boolean, bool                                                     | boolean    |                           |
 * | date        | date                                                              | string     | 'YYYY-MM-DD', no time zone|
 * | time        | time, time without time zone                                      | string     | keeps microseconds        |
 * | timestamp   | timestamp, timestamp without time zone, datetime, timestamp_ntz   | string     | keeps microseconds        |
 * | timestamptz | timestamptz, timestamp with time zone, timestamp_tz               | string     | keeps microseconds        |
 * | json        | json, jsonb, variant                                              | JsonValue  |                           |
 * | uuid        | uuid                                                              | string     |                           |
 *
 * (*) char(n) is read as varchar(n): Ferry never pads values.
 * Timestamps may carry a precision, e.g. timestamp(6); Ferry keeps microseconds everywhere and
 * rejects a precision above 6, which no destination can hold.
 */
export type LogicalType =
  | { readonly kind: 'text' }
  | { readonly kind: 'varchar'; readonly length: number }
  | { readonly kind: 'smallint' }
  | { readonly kind: 'integer' }
  | { readonly kind: 'bigint' }
  | { readonly kind: 'numeric'; readonly precision: number; readonly scale: number }
  | { readonly kind: 'real' }
  | { readonly kind: 'double' }
  | { readonly kind: 'boolean' }
  | { readonly kind: 'date' }
  | { readonly kind: 'time' }
  | { readonly kind: 'timestamp' }
  | { readonly kind: 'timestamptz' }
  | { readonly kind: 'json' }
  | { readonly kind: 'uuid' };

export type LogicalTypeKind = LogicalType['kind'];

/** The largest numeric precision every destination can hold exactly (Snowflake, Redshift, DuckDB: 38). */
export const MAX_NUMERIC_PRECISION = 38;

/** The TypeScript type a row interface uses for each logical type (see the table above). */
export const TS_TYPE_OF: Readonly<Record<LogicalTypeKind, string>> = {
  text: 'string',
  varchar: 'string',
  smallint: 'number',
  integer: 'number',
  bigint: 'string',
  numeric: 'string',
  real: 'number',
  double: 'number',
  boolean: 'boolean',
  date: 'string',
  time: 'string',
  timestamp: 'string',
  timestamptz: 'string',
  json: 'JsonValue',
  uuid: 'string',
};

/** Kinds whose values have a total order suitable for a cursor (last-modified) column. */
export const ORDERABLE_KINDS: ReadonlySet<LogicalTypeKind> = new Set([
  'smallint',
  'integer',
  'bigint',
  'numeric',
  'date',
  'timestamp',
  'timestamptz',
]);

/** Raised when a dbt data_type cannot be read as a logical type; `fix` tells the user what to write. */
export class UnsupportedTypeError extends Error {
  constructor(
    readonly dataType: string,
    readonly fix: string,
  ) {
    super(`unsupported data_type "${dataType}": ${fix}`);
    this.name = 'UnsupportedTypeError';
  }
}

const SIMPLE_TYPES: Readonly<Record<string, LogicalType>> = {
  text: { kind: 'text' },
  string: { kind: 'text' },
  varchar: { kind: 'text' },
  'character varying': { kind: 'text' },
  smallint: { kind: 'smallint' },
  int2: { kind: 'smallint' },
  integer: { kind: 'integer' },
  int: { kind: 'integer' },
  int4: { kind: 'integer' },
  bigint: { kind: 'bigint' },
  int8: { kind: 'bigint' },
  real: { kind: 'real' },
  float4: { kind: 'real' },
  'double precision': { kind: 'double' },
  double: { kind: 'double' },
  float: { kind: 'double' },
  float8: { kind: 'double' },
  float64: { kind: 'double' },
  boolean: { kind: 'boolean' },
  bool: { kind: 'boolean' },
  date: { kind: 'date' },
  time: { kind: 'time' },
  'time without time zone': { kind: 'time' },
  timestamp: { kind: 'timestamp' },
  'timestamp without time zone': { kind: 'timestamp' },
  datetime: { kind: 'timestamp' },
  timestamp_ntz: { kind: 'timestamp' },
  timestamptz: { kind: 'timestamptz' },
  'timestamp with time zone': { kind: 'timestamptz' },
  timestamp_tz: { kind: 'timestamptz' },
  json: { kind: 'json' },
  jsonb: { kind: 'json' },
  variant: { kind: 'json' },
  uuid: { kind: 'uuid' },
};

const LENGTH_TYPES = new Set(['varchar', 'character varying', 'char', 'character', 'nvarchar']);
const DECIMAL_TYPES = new Set(['numeric', 'decimal', 'number']);
const TIMESTAMP_TYPES = new Set(['timestamp', 'timestamptz', 'time']);

/**
 * Parses a dbt contract `data_type` into a LogicalType.
 * @throws UnsupportedTypeError with a fix the user can apply to the model's YAML.
 */
export function parseDataType(dataType: string): LogicalType {
  const text = dataType.trim().toLowerCase().replace(/\s+/g, ' ');
  const simple = SIMPLE_TYPES[text];
  if (simple) return simple;

  const match = /^([a-z_ ]+?) ?\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\)( with(?:out)? time zone)?$/.exec(text);
  if (match) {
    const [, base = '', first = '', second, zone] = match;
    const a = Number(first);
    if (LENGTH_TYPES.has(base) && second === undefined && !zone) {
      if (a < 1) throw new UnsupportedTypeError(dataType, 'a varchar length must be at least 1');
      return { kind: 'varchar', length: a };
    }
    if (DECIMAL_TYPES.has(base) && !zone) {
      const scale = second === undefined ? 0 : Number(second);
      if (a < 1 || a > MAX_NUMERIC_PRECISION || scale > a) {
        throw new UnsupportedTypeError(
          dataType,
          `use numeric(p,s) with 1 <= p <= ${MAX_NUMERIC_PRECISION} and 0 <= s <= p, the widest every destination holds exactly`,
        );
      }
      return { kind: 'numeric', precision: a, scale };
    }
    if (TIMESTAMP_TYPES.has(base) && second === undefined) {
      if (a > 6) {
        throw new UnsupportedTypeError(dataType, 'use a precision of at most 6 (microseconds); no destination keeps more');
      }
      const kind = base === 'time' ? 'time' : base === 'timestamptz' || zone === ' with time zone' ? 'timestamptz' : 'timestamp';
      return { kind };
    }
  }
  if (DECIMAL_TYPES.has(text)) {
    throw new UnsupportedTypeError(
      dataType,
      `declare a precision and scale, e.g. numeric(18,6): an unbounded numeric cannot be held exactly by every destination`,
    );
  }
  throw new UnsupportedTypeError(
    dataType,
    'use one of: text, varchar(n), smallint, integer, bigint, numeric(p,s), real, double precision, boolean, date, time, timestamp, timestamptz, json, jsonb, uuid',
  );
}

/** The canonical spelling of a logical type, used in fingerprints, docs and messages. */
export function formatLogicalType(type: LogicalType): string {
  switch (type.kind) {
    case 'varchar':
      return `varchar(${type.length})`;
    case 'numeric':
      return `numeric(${type.precision},${type.scale})`;
    default:
      return type.kind;
  }
}
