/**
 * A table's columns in order as `[name, type, nullable]`, from the catalog: `format_type` spells
 * types as Postgres reports them (`character varying(64)`, `numeric(12,6)`,
 * `timestamp(6) with time zone`). Parameters: $1 schema, $2 table (both unquoted).
 * Partitioned tables count as tables.
 */
export const POSTGRES_COLUMNS_QUERY = `SELECT a.attname, format_type(a.atttypid, a.atttypmod), NOT a.attnotnull
FROM pg_catalog.pg_attribute AS a
JOIN pg_catalog.pg_class AS c ON c.oid = a.attrelid
JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attnum`;

/** The name of a table's primary-key constraint. Parameter: $1 the quoted, qualified relation. */
export const POSTGRES_PRIMARY_KEY_QUERY = `SELECT conname FROM pg_catalog.pg_constraint WHERE conrelid = to_regclass($1) AND contype = 'p'`;
