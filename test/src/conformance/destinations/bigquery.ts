import type { DestinationConfig } from '@ferry/destinations';
import { openBigQueryTestWarehouse, realBigQueryProject } from '../../harness/emulators/bigquery.ts';
import type { ConformanceDestination, Expectations } from '../conformance-destination.ts';

/** everyTypeModel's columns as real BigQuery reports them (tables.get), parameters included. */
const EVERY_TYPE_COLUMNS: Expectations['everyTypeColumns'] = {
  tenant_id: 'STRING',
  id: 'INT64',
  note: 'STRING',
  Label: 'STRING',
  small: 'INT64',
  regular: 'INT64',
  big: 'INT64',
  amount: 'NUMERIC(38,9)',
  ratio: 'FLOAT64',
  weight: 'FLOAT64',
  flag: 'BOOL',
  day: 'DATE',
  at_time: 'TIME',
  local_at: 'DATETIME',
  updated_at: 'TIMESTAMP',
  order: 'JSON',
  ref: 'STRING',
};

/**
 * Known differences of bqemulator 1.4 from BigQuery, in the table metadata it reports: a table
 * made by CREATE TABLE lists a JSON column as STRING (the column is JSON in the engine: queries
 * report and treat it as JSON) and NUMERIC(p,s) without its parameters (the engine keeps them).
 */
const EMULATOR_REPORTS: Expectations['everyTypeColumns'] = { amount: 'NUMERIC', order: 'STRING' };

/**
 * BigQuery: real when FERRY_TEST_BIGQUERY_PROJECT is set (see openBigQueryTestWarehouse), otherwise bqemulator through
 * BigQueryOnEmulatorTestDouble (see the harness). Integers are all INT64 and varchar is STRING,
 * so both widenings change no column type and evolve in place.
 */
export const bigquery: ConformanceDestination = {
  expectations: {
    folded: { order: 'order', select: 'select', CamelCase: 'camelcase', größe: 'größe' },
    varcharType: { before: 'STRING', after: 'STRING' },
    widening: 'evolve',
    keyWidening: 'evolve',
    everyTypeColumns: realBigQueryProject() ? EVERY_TYPE_COLUMNS : { ...EVERY_TYPE_COLUMNS, ...EMULATOR_REPORTS },
  },
  async open() {
    const warehouse = await openBigQueryTestWarehouse();
    return {
      config: (id, schema) => warehouse.config(id, schema),
      create: (config: DestinationConfig) => {
        if (config.type !== 'bigquery') throw new Error(`expected a bigquery config, got ${config.type}`);
        return warehouse.create(config);
      },
      dispose: () => warehouse.dispose(),
    };
  },
};
