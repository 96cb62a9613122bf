import { ownersTableSql } from '@ferry/dialects';
import type { Destination } from '@ferry/destinations';
import { csvRecords } from './csv.ts';

/** The table in each destination schema that says which destination each of Ferry's tables belongs to. */
export const OWNERS_TABLE = '_ferry_tables';

/** Who a destination table belongs to. */
export interface TableOwner {
  readonly destinationId: string;
  readonly tenant: string;
  readonly model: string;
}

/**
 * Makes sure `table` (unquoted, in the destination's schema) belongs to `owner`, recording it
 * when no destination has claimed it yet. Two destinations configured onto one table (schema names
 * that fold or clip to the same name, one database file reached by two paths) would otherwise
 * delete each other's rows: each sync's key comparison removes what its own tenant lacks. With
 * `claim: false` only checks (a verification).
 * The record is a row of `_ferry_tables` in the schema, written through the destination's bulk
 * load, so no dialect needs a string literal. Warehouses that enforce no primary key (Snowflake,
 * BigQuery, Redshift) cannot stop two first syncs racing to claim one table; every later sync
 * of either refuses.
 * @throws when another destination owns the table, naming both.
 */
export async function checkTableOwner(
  destination: Destination,
  table: string,
  owner: TableOwner,
  options: { readonly claim: boolean },
): Promise<void> {
  const dialect = destination.dialect;
  const columns = ['table_name', 'destination_id', 'tenant', 'model'].map((c) => dialect.foldIdentifier(c));
  const relation = destination.relation(dialect.foldIdentifier(OWNERS_TABLE));
  const sql = ownersTableSql(dialect, relation, columns);
  if (options.claim) {
    await destination.execute([sql.create]);
  } else if ((await destination.introspect(dialect.foldIdentifier(OWNERS_TABLE))) === undefined) {
    return;
  }
  const owners = await destination.query(sql.select);
  const claims = owners.filter(([name]) => name === table);
  const other = claims.find(([, id]) => id !== owner.destinationId);
  if (other !== undefined) {
    const [, id, tenant, model] = other;
    throw new Error(
      `table ${destination.relation(table)} belongs to destination "${id}" (tenant "${tenant}", model ${model}), not to "${owner.destinationId}" ` +
        `(tenant "${owner.tenant}"): two destinations must never share a table, or each sync would delete the other's rows. ` +
        `Give destination "${owner.destinationId}" a schema of its own in ferry.yaml`,
    );
  }
  if (claims.length === 0 && options.claim) {
    await destination.loadCsv(relation, columns, csvRecords([[table, owner.destinationId, owner.tenant, owner.model]]));
  }
}
