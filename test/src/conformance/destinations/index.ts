import type { DestinationType } from '@ferry/destinations';
import type { ConformanceDestination } from '../conformance-destination.ts';
import { bigquery } from './bigquery.ts';
import { duckdb } from './duckdb.ts';
import { postgres } from './postgres.ts';
import { redshift } from './redshift.ts';
import { snowflake } from './snowflake.ts';

/**
 * Every destination type the conformance suite runs: a Record over DestinationType, so a new
 * type does not compile until it has an entry here, and then runs every scenario.
 */
export const CONFORMANCE_DESTINATIONS: Readonly<Record<DestinationType, ConformanceDestination>> = {
  postgres,
  duckdb,
  snowflake,
  bigquery,
  redshift,
};
