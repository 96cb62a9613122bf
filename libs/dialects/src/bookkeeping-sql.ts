import type { Dialect } from './dialect.ts';

/**
 * SQL whose shape is known only at run time, so the generator cannot write it ahead: the engine
 * passes relations and names, and the SQL text stays here with the dialects.
 */

/**
 * Ferry's record of which destination owns each table (`_ferry_tables`): every column text.
 * @param relation the table, schema-qualified and quoted
 * @param columns its column names, folded (unquoted)
 */
export function ownersTableSql(dialect: Dialect, relation: string, columns: readonly string[]): { create: string; select: string } {
  const quoted = columns.map((column) => dialect.quoteIdentifier(column));
  const text = dialect.columnType({ kind: 'text' });
  return {
    create: `CREATE TABLE IF NOT EXISTS ${relation} (${quoted.map((column) => `${column} ${text}`).join(', ')})`,
    select: `SELECT ${quoted.join(', ')} FROM ${relation}`,
  };
}

/**
 * Carries columns that the model no longer exports from the old table into its rebuilt shadow,
 * row by row on the primary key, so a rebuild never drops a customer's column (docs/sync.md).
 * @param retired each column's name (folded, unquoted) and its type as the old table declares it
 * @param keyColumns the primary key's column names (folded, unquoted)
 */
export function keepRetiredColumnsSql(
  dialect: Dialect,
  relations: { readonly shadow: string; readonly old: string },
  retired: readonly { readonly name: string; readonly type: string }[],
  keyColumns: readonly string[],
): string[] {
  const q = (name: string) => dialect.quoteIdentifier(name);
  return [
    ...retired.map(({ name, type }) => `ALTER TABLE ${relations.shadow} ADD COLUMN ${q(name)} ${type}`),
    `UPDATE ${relations.shadow} AS s SET ${retired.map(({ name }) => `${q(name)} = o.${q(name)}`).join(', ')} ` +
      `FROM ${relations.old} AS o WHERE ${keyColumns.map((key) => `s.${q(key)} = o.${q(key)}`).join(' AND ')}`,
  ];
}

/** The FROM clause the bucket queries read (`keyBucketsQuery`, `rowBucketsQuery`, …): a relation, and a condition on its rows. */
export function fromClause(relation: string, where?: string): string {
  return where === undefined ? `FROM ${relation}` : `FROM ${relation} WHERE ${where}`;
}
