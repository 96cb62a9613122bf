import type { DestinationConfig } from '@ferry/destinations';
import { openRedshiftTestWarehouse } from '../../harness/redshift.ts';
import type { ConformanceDestination } from '../conformance-destination.ts';

/**
 * Redshift: real when FERRY_TEST_REDSHIFT_URL is set, otherwise Redshift's SQL on Postgres 15
 * (RedshiftOnPostgresTestDouble). The column types below are as the catalog spells them there.
 */
export const redshift: ConformanceDestination = {
  expectations: {
    folded: { order: 'order', select: 'select', CamelCase: 'camelcase', größe: 'größe' },
    // Redshift counts VARCHAR lengths in bytes: 4 per character of the model's varchar(n).
    varcharType: { before: 'character varying(64)', after: 'character varying(256)' },
    // Redshift changes a type in place only to lengthen a VARCHAR, and not in a transaction.
    widening: 'rebuild',
    keyWidening: 'rebuild',
    everyTypeColumns: {
      tenant_id: 'character varying(65535)',
      id: 'integer',
      note: 'character varying(65535)',
      Label: 'character varying(128)',
      small: 'smallint',
      regular: 'integer',
      big: 'bigint',
      amount: 'numeric(38,9)',
      ratio: 'real',
      weight: 'double precision',
      flag: 'boolean',
      day: 'date',
      at_time: 'time without time zone',
      local_at: 'timestamp without time zone',
      updated_at: 'timestamp with time zone',
      order: 'super',
      ref: 'character(36)',
    },
  },
  async open() {
    const warehouse = await openRedshiftTestWarehouse();
    return {
      config: (id, schema) => warehouse.config(id, schema),
      create: (config: DestinationConfig) => {
        if (config.type !== 'redshift') throw new Error(`expected a redshift config, got ${config.type}`);
        return warehouse.create(config);
      },
      dispose: () => warehouse.dispose(),
    };
  },
};
