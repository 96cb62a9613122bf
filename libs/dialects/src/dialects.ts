import type { Dialect, DialectName } from './dialect.ts';
import { bigquery } from './bigquery/dialect.ts';
import { duckdb } from './duckdb/dialect.ts';
import { postgres } from './postgres/dialect.ts';
import { redshift } from './redshift/dialect.ts';
import { snowflake } from './snowflake/dialect.ts';

/** Every dialect, by name; a Record so a new DialectName fails to compile until it has a dialect. */
export const dialects: Readonly<Record<DialectName, Dialect>> = { postgres, redshift, snowflake, bigquery, duckdb };

/**
 * The dialect for a destination type.
 * @example dialectFor('snowflake').foldIdentifier('userId') // 'USERID'
 */
export function dialectFor(name: DialectName): Dialect {
  return dialects[name];
}
