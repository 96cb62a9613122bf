/** The relations a ModelSql statement runs against, each already quoted (and schema-qualified where needed). */
export interface Relations {
  /** The destination table. */
  readonly target: string;
  /** The staging table a merge reads from. */
  readonly staging?: string;
  /** The table holding the primary keys to delete. */
  readonly deletedKeys?: string;
}

const PLACEHOLDERS = { target: 'target', staging: 'staging', deleted_keys: 'deletedKeys' } as const;

/**
 * Replaces the relation placeholders of a ModelSql statement with quoted relation names.
 * @throws Error naming the placeholder when the statement uses a relation that was not given.
 * @example
 * bindRelations('DELETE FROM {target} AS t USING {deleted_keys} AS d WHERE t."id" = d."id"', {
 *   target: '"analytics"."orders"',
 *   deletedKeys: '"orders_deleted_keys"',
 * });
 */
export function bindRelations(sql: string, relations: Relations): string {
  return sql.replace(/\{(target|staging|deleted_keys)\}/g, (placeholder, name: keyof typeof PLACEHOLDERS) => {
    const relation = relations[PLACEHOLDERS[name]];
    if (relation === undefined || relation === '') {
      throw new Error(
        `the statement uses ${placeholder} but no ${PLACEHOLDERS[name]} relation was given: ` +
          `pass relations.${PLACEHOLDERS[name]} to bindRelations (statement: ${sql.split('\n')[0]})`,
      );
    }
    return relation;
  });
}
