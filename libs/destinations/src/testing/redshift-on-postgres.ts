import type pg from 'pg';
import { RedshiftDestination } from '../redshift/redshift-destination.ts';

/** Postgres's type id for jsonb, which stands in for SUPER (see REDSHIFT_ON_POSTGRES_SETUP). */
const JSONB_TYPE_ID = 3802;
const SUPER_TYPE_ID = 4000;

/**
 * What a Postgres 15 database needs before it can run Redshift's SQL: SUPER (as a jsonb domain),
 * JSON_PARSE and JSON_SERIALIZE. No Redshift can run on this machine, so Ferry's Redshift SQL is
 * run on Postgres wherever Postgres accepts it; what only Redshift accepts is unit-tested.
 */
export const REDSHIFT_ON_POSTGRES_SETUP: readonly string[] = [
  'CREATE DOMAIN public.super AS jsonb',
  'CREATE FUNCTION public.json_parse(text) RETURNS public.super LANGUAGE sql IMMUTABLE STRICT AS $$ SELECT $1::jsonb $$',
  'CREATE FUNCTION public.json_serialize(public.super) RETURNS text LANGUAGE sql IMMUTABLE STRICT AS $$ SELECT $1::text $$',
];

/** Prepares a (throw-away) Postgres database for RedshiftOnPostgresTestDouble. */
export async function prepareRedshiftOnPostgres(client: pg.Client): Promise<void> {
  for (const statement of REDSHIFT_ON_POSTGRES_SETUP) await client.query(statement);
}

/**
 * Test double: the real RedshiftDestination, pointed at a Postgres database prepared with
 * REDSHIFT_ON_POSTGRES_SETUP, with the two things Postgres cannot take from Redshift changed on
 * the way: LISTAGG ... WITHIN GROUP (Postgres spells it string_agg), and primary-key names, which
 * Postgres keeps in the schema's namespace (Redshift has no index to collide with). Everything
 * else — the generated SQL, the multi-row INSERT loads, evolution, swaps — runs as it would on
 * Redshift.
 */
export class RedshiftOnPostgresTestDouble extends RedshiftDestination {
  protected override readonly jsonTypeIds: ReadonlySet<number> = new Set([SUPER_TYPE_ID, JSONB_TYPE_ID]);

  protected override run(sql: string): Promise<number> {
    return super.run(postgresSpelling(sql));
  }

  override query(sql: string): Promise<(string | null)[][]> {
    return super.query(postgresSpelling(sql));
  }

  protected override async renameTable(from: string, to: string): Promise<void> {
    await super.renameTable(from, to);
    await this.renamePrimaryKeyAfterTable(to);
  }
}

/** Rewrites Redshift's LISTAGG(x, d) WITHIN GROUP (ORDER BY y) as Postgres's string_agg(x, d ORDER BY y). */
export function postgresSpelling(sql: string): string {
  return sql.replace(/LISTAGG\(([^()]+), ('[^']*')\) WITHIN GROUP \(ORDER BY ([^()]+)\)/g, 'string_agg($1, $2 ORDER BY $3)');
}
