import { dialects, type Dialect, type RowDigestQueries } from '@ferry/dialects';
import type { ExportModelSpec, LogicalType, LogicalTypeKind, SourceRelation } from '@ferry/schema';
import { duckdbCanonicalText } from './duckdb/canonical-text.ts';
import { postgresCanonicalText } from './postgres/canonical-text.ts';
import type { ReadWindow, SourceKind } from './source.ts';

/**
 * The one place that restricts a read to one tenant's rows and to the model's exported columns.
 * Every source builds its export, count and key-bucket queries from `tenantSliceFrom` or
 * `tenantSliceQuery`, so the restriction cannot be forgotten or spelled two ways.
 *
 * The tenant value and `since` are user data. They become SQL string literals here rather than
 * bind parameters because Postgres cannot bind parameters in `COPY (query) TO STDOUT`, the
 * export's bulk path; one escaping rule per source kind, tested with hostile values, serves all
 * queries alike.
 */

/** How one source kind spells what a tenant slice needs. */
interface SliceSpelling {
  readonly dialect: Dialect;
  /** A string literal holding exactly `value`. */
  stringLiteral(value: string): string;
  /** The text type the tenant column is cast to for the exact comparison. */
  readonly textType: string;
  /** A collation under which `=` compares bytes, whatever the column's or session's collation. */
  readonly binaryCollation: string;
  /** The column's SELECT expression in canonical transfer-format text, where the engine's CSV differs. */
  canonicalText(column: string, type: LogicalType): string;
}

const SPELLINGS: Readonly<Record<SourceKind, SliceSpelling>> = {
  postgres: {
    dialect: dialects.postgres,
    // With a backslash, an E'' literal (backslash doubled) reads the same whatever
    // standard_conforming_strings says, as pg's own escapeLiteral does.
    // @see https://www.postgresql.org/docs/current/sql-syntax-lexical.html#SQL-SYNTAX-STRINGS
    stringLiteral: (value) =>
      value.includes('\\') ? `E'${value.replaceAll('\\', '\\\\').replaceAll("'", "''")}'` : `'${value.replaceAll("'", "''")}'`,
    textType: 'TEXT',
    binaryCollation: '"C"',
    canonicalText: postgresCanonicalText,
  },
  duckdb: {
    dialect: dialects.duckdb,
    // DuckDB string literals have no backslash escapes: only the quote is doubled.
    // @see https://duckdb.org/docs/stable/sql/data_types/literal_types#string-literals
    stringLiteral: (value) => `'${value.replaceAll("'", "''")}'`,
    textType: 'VARCHAR',
    binaryCollation: '"binary"',
    canonicalText: duckdbCanonicalText,
  },
};

/** Cursor kinds a lookback applies to; integer and numeric cursors are compared exactly. */
const TIME_CURSOR_KINDS: ReadonlySet<LogicalTypeKind> = new Set(['date', 'timestamp', 'timestamptz']);

/**
 * The model's source relation, `"schema"."identifier"`. dbt's database is left out on purpose:
 * it names the database dbt connected to (Postgres) or the file's stem (DuckDB), which is the one
 * the source is connected to already, so naming it would only break reading a copy under another
 * name (and Postgres cannot read across databases anyway).
 */
export function sourceRelation(kind: SourceKind, relation: SourceRelation): string {
  const quote = SPELLINGS[kind].dialect.quoteIdentifier;
  return `${quote(relation.schema)}.${quote(relation.identifier)}`;
}

/**
 * `FROM <relation> WHERE <tenant column> = <tenant> [AND <cursor> >= <since> - <lookback>]
 * [AND <soft delete> IS NULL] [AND <key hash in buckets>]`: the rows of one tenant, within the
 * window when one is given.
 *
 * The tenant comparison is exact: `acme`, `ACME` and `acme ` are three tenants, and a NULL tenant
 * column never matches. It is written twice: a plain `=` lets the engine use an index or zone map
 * on the tenant column, and a byte-wise `=` on the column's text under a binary collation keeps
 * case-insensitive collations (Postgres ICU, DuckDB NOCASE or default_collation) from letting
 * another tenant's rows through.
 * @throws Error when the tenant or `since` cannot be a SQL string, or the window does not fit the model.
 */
export function tenantSliceFrom(kind: SourceKind, model: ExportModelSpec, tenant: string, window?: ReadWindow): string {
  const spelling = SPELLINGS[kind];
  const tenantColumn = spelling.dialect.quoteIdentifier(model.tenantColumn);
  const tenantLiteral = spelling.stringLiteral(checkedText(tenant, `tenant value of export model "${model.name}"`));
  const conditions = [
    `${tenantColumn} = ${tenantLiteral}`,
    `CAST(${tenantColumn} AS ${spelling.textType}) COLLATE ${spelling.binaryCollation} = ${tenantLiteral}`,
  ];
  const cursorCondition = cursorWindow(spelling, model, window);
  if (cursorCondition) conditions.push(cursorCondition);
  if (window?.newerThan !== undefined) {
    const { column, bound } = cursorBound(spelling, model, window.newerThan);
    conditions.push(`${column} > ${bound}`);
  }
  if (window?.nullCursorOnly) {
    if (model.cursor === undefined) throw new Error(`export model "${model.name}" has no cursor column to be NULL`);
    conditions.push(`${spelling.dialect.quoteIdentifier(model.cursor)} IS NULL`);
  }
  if (window?.liveOnly) {
    if (model.softDelete === undefined) {
      throw new Error(`export model "${model.name}" has no soft-delete column, so it has no soft-deleted rows to leave out`);
    }
    conditions.push(liveCondition(spelling.dialect.quoteIdentifier(model.softDelete), model.columns.find((c) => c.name === model.softDelete)?.type));
  }
  if (window?.keyBuckets) {
    const { prefixLength, buckets, hash } = window.keyBuckets;
    conditions.push(
      spelling.dialect.keyInBucketsCondition(
        model.primaryKey.map((k) => spelling.dialect.quoteIdentifier(k)),
        prefixLength,
        buckets,
        hash,
      ),
    );
  }
  return `FROM ${sourceRelation(kind, model.source)} WHERE ${conditions.join(' AND ')}`;
}

/**
 * `SELECT DISTINCT <tenant column as text>` over every tenant, at most `limit` of them: the one
 * read that is not restricted to a tenant, and it returns tenant values only, never a row.
 */
export function tenantValuesQuery(kind: SourceKind, model: ExportModelSpec, limit: number): string {
  const spelling = SPELLINGS[kind];
  const tenantColumn = spelling.dialect.quoteIdentifier(model.tenantColumn);
  if (!Number.isInteger(limit) || limit < 1) throw new Error(`limit must be a positive integer, got ${limit}`);
  return `SELECT DISTINCT CAST(${tenantColumn} AS ${spelling.textType}) FROM ${sourceRelation(kind, model.source)} WHERE ${tenantColumn} IS NOT NULL LIMIT ${limit}`;
}

/**
 * `SELECT <exported columns> <tenantSliceFrom>`: the model's exported columns in order, each in
 * the form whose CSV text is canonical for this source kind (see TRANSFER_FORMAT).
 */
export function tenantSliceQuery(kind: SourceKind, model: ExportModelSpec, tenant: string, window?: ReadWindow): string {
  const spelling = SPELLINGS[kind];
  const columns = model.columns.map(({ name, type }) => {
    const column = spelling.dialect.quoteIdentifier(name);
    const text = spelling.canonicalText(column, type);
    return text === column ? column : `${text} AS ${column}`;
  });
  return `SELECT ${columns.join(', ')} ${tenantSliceFrom(kind, model, tenant, window)}`;
}

/**
 * `SELECT <columns as stored> FROM <slice>`: the model's columns in order, no canonical text,
 * each cast to the type `casts` names for it: what a binary copy reads (Postgres only).
 * @throws Error when a cast names something other than a type name.
 */
export function tenantSliceStoredQuery(model: ExportModelSpec, tenant: string, casts: ReadonlyMap<string, string>, window?: ReadWindow): string {
  const quote = SPELLINGS.postgres.dialect.quoteIdentifier;
  const columns = model.columns.map(({ name }) => {
    const type = casts.get(name);
    if (type === undefined) return quote(name);
    if (!/^[a-z][a-z0-9 _(),]*$/.test(type)) throw new Error(`not a Postgres type name: ${JSON.stringify(type)}`);
    return `CAST(${quote(name)} AS ${type}) AS ${quote(name)}`;
  });
  return `SELECT ${columns.join(', ')} ${tenantSliceFrom('postgres', model, tenant, window)}`;
}

/**
 * `<cursor> >= CAST(<since> AS <cursor type>) [- <lookback>]` (with `OR <cursor> IS NULL` when the model always reads NULL
 * cursors), spelt for `kind`: the rows of a read window; undefined without a `since`.
 * `cursorColumn` names the cursor as another table of the same engine holds it (a destination
 * table of the same engine, whose copy of the window is compared with the source's); by default,
 * the model's own column.
 */
export function cursorWindowCondition(kind: SourceKind, model: ExportModelSpec, window: ReadWindow, cursorColumn?: string): string | undefined {
  return cursorWindow(SPELLINGS[kind], model, window, cursorColumn);
}

function cursorWindow(spelling: SliceSpelling, model: ExportModelSpec, window: ReadWindow | undefined, cursorColumn?: string): string | undefined {
  if (window?.since === undefined) return undefined;
  const { column, bound, kind } = cursorBound(spelling, model, window.since, cursorColumn);
  const lookback = lookbackMicroseconds(model, window.lookbackSeconds ?? 0);
  const start = TIME_CURSOR_KINDS.has(kind) && lookback > 0 ? `${bound} - INTERVAL '${lookback} microseconds'` : bound;
  const inWindow = `${column} >= ${start}`;
  // A NULL cursor compares as unknown, so such rows are named outright.
  return model.nullCursor === 'always_read' ? `(${inWindow} OR ${column} IS NULL)` : inWindow;
}

/** The model's cursor column (or `cursorColumn`), and `value` as a literal of the cursor's type. */
function cursorBound(
  spelling: SliceSpelling,
  model: ExportModelSpec,
  value: string,
  cursorColumn?: string,
): { column: string; bound: string; kind: LogicalTypeKind } {
  if (model.cursor === undefined) {
    throw new Error(
      `export model "${model.name}" has no cursor column, so it cannot be read from a watermark (since ${JSON.stringify(value)}): ` +
        'read it in full, or set meta.ferry.cursor on the dbt model and run `ferry generate`',
    );
  }
  const cursor = model.columns.find((column) => column.name === model.cursor);
  if (!cursor) {
    throw new Error(
      `export model "${model.name}" names "${model.cursor}" as its cursor, but that column is not exported: ` +
        'export the cursor column (it must not be PII) and run `ferry generate`',
    );
  }
  const literal = spelling.stringLiteral(checkedText(value, `watermark of export model "${model.name}"`));
  return {
    column: cursorColumn ?? spelling.dialect.quoteIdentifier(cursor.name),
    bound: `CAST(${literal} AS ${spelling.dialect.columnType(cursor.type)})`,
    kind: cursor.type.kind,
  };
}

function lookbackMicroseconds(model: ExportModelSpec, seconds: number): number {
  if (!Number.isFinite(seconds) || seconds < 0) {
    throw new Error(`lookback for export model "${model.name}" must be a number of seconds >= 0, got ${seconds}`);
  }
  return Math.round(seconds * 1_000_000);
}

/**
 * Refuses values no SQL string literal can hold faithfully: a NUL (Postgres text cannot hold one)
 * or a lone UTF-16 surrogate (it would be sent as U+FFFD and could match a different tenant).
 */
function checkedText(value: string, what: string): string {
  if (typeof value !== 'string') throw new Error(`the ${what} must be a string, got ${value === null ? 'null' : typeof value}`);
  if (value.includes('\0')) throw new Error(`the ${what} contains a NUL character, which no source can store: fix the value`);
  if (/[\uD800-\uDFFF]/u.test(value)) {
    throw new Error(`the ${what} ${JSON.stringify(value)} is not valid Unicode (a lone surrogate): fix the value`);
  }
  return value;
}

/** Verify's figures of one tenant's slice: per bucket of the key hash, rows and the XOR of their hashes (row-digests.ts in @ferry/dialects). */
export function rowBucketsQuery(kind: SourceKind, model: ExportModelSpec, tenant: string, prefixLength: number, window?: ReadWindow): string {
  const { queries, keyColumns, columns } = rowDigestParts(kind, model);
  return queries.bucketsQuery(tenantSliceFrom(kind, model, tenant, window), keyColumns, columns, prefixLength);
}

/** The key columns (as text, in key order) and the row hash of the slice's rows whose key hashes into one of `buckets`. */
export function rowHashesInBucketsQuery(
  kind: SourceKind,
  model: ExportModelSpec,
  tenant: string,
  prefixLength: number,
  buckets: readonly string[],
  window?: ReadWindow,
): string {
  const { queries, keyColumns, columns } = rowDigestParts(kind, model);
  return queries.hashesInBucketsQuery(tenantSliceFrom(kind, model, tenant, window), keyColumns, columns, prefixLength, buckets);
}

function rowDigestParts(kind: SourceKind, model: ExportModelSpec) {
  const { dialect } = SPELLINGS[kind];
  const queries: RowDigestQueries | undefined = dialect.rowDigests;
  if (queries === undefined) throw new Error(`the ${kind} dialect has no row digests`);
  return {
    queries,
    keyColumns: model.primaryKey.map((column) => dialect.quoteIdentifier(column)),
    columns: model.columns.map(({ name, type }) => ({ column: dialect.quoteIdentifier(name), type })),
  };
}

/**
 * A live row: a boolean soft-delete column marks a deletion when TRUE (FALSE and NULL are live);
 * a timestamp or date marks one when set. The purge templates read the flag the same way.
 */
function liveCondition(column: string, type: LogicalType | undefined): string {
  return type?.kind === 'boolean' ? `(${column} IS NULL OR ${column} = FALSE)` : `${column} IS NULL`;
}
