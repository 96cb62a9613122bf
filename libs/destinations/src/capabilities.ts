/**
 * What a destination warehouse can do in place. The sync engine reads these to choose between
 * evolving a table in place and rebuilding it in a shadow table that `swap` puts in place.
 * Each destination folder declares its record, verified by its tests against the real warehouse.
 */
export interface DestinationCapabilities {
  /** CREATE / ALTER / RENAME / DROP commit or roll back with the transaction around them. */
  readonly transactionalDdl: boolean;
  /**
   * `alterColumnType` widens a column that is not part of the primary key (int -> bigint,
   * varchar(n) -> varchar(m), numeric(p,s) -> numeric(p+k,s)) keeping its rows, on a table with a primary key.
   */
  readonly alterColumnTypeInPlace: boolean;
  /** The same for a primary-key column; when false, rebuild in a shadow table and swap. */
  readonly alterPrimaryKeyColumnTypeInPlace: boolean;
  /** ADD COLUMN works on a table with a primary key. */
  readonly addColumnWithPrimaryKey: boolean;
  /**
   * Whether `varchar(n)` keeps and enforces n. When false (DuckDB), introspection reports plain
   * VARCHAR and widening a varchar is a no-op: compare types without the length.
   */
  readonly enforcesVarcharLength: boolean;
  /**
   * Whether a JSON `null` value is kept as JSON null (false: BigQuery's load jobs read it as a
   * missing value, SQL NULL). Verify compares what the destination can hold.
   */
  readonly keepsJsonNull: boolean;
  /** Whether a JSON number keeps every digit (false: BigQuery's JSON holds numbers as 64-bit floats). */
  readonly keepsJsonNumberDigits: boolean;
  /**
   * Whether the table's PRIMARY KEY refuses a second row with the same key (false: Snowflake,
   * BigQuery and Redshift record the constraint without enforcing it; Ferry's DuckDB tables
   * declare none). Where it does, the key comparison counts the keys a destination lacks from its
   * bucket figures instead of a join; where it does not, a whole load is checked for a key held twice.
   */
  readonly enforcesPrimaryKey: boolean;
}
