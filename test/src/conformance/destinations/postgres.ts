import { createTempDatabase } from '../../harness/postgres.ts';
import type { ConformanceDestination } from '../conformance-destination.ts';

export const postgres: ConformanceDestination = {
  expectations: {
    folded: { order: 'order', select: 'select', CamelCase: 'camelcase', größe: 'größe' },
    varcharType: { before: 'character varying(16)', after: 'character varying(64)' },
    widening: 'evolve',
    keyWidening: 'evolve',
    everyTypeColumns: {
      tenant_id: 'text',
      id: 'integer',
      note: 'text',
      Label: 'character varying(32)',
      small: 'smallint',
      regular: 'integer',
      big: 'bigint',
      amount: 'numeric(38,9)',
      ratio: 'real',
      weight: 'double precision',
      flag: 'boolean',
      day: 'date',
      at_time: 'time without time zone',
      local_at: 'timestamp(6) without time zone',
      updated_at: 'timestamp(6) with time zone',
      order: 'jsonb',
      ref: 'uuid',
    },
  },
  async open() {
    const database = await createTempDatabase('ferry_conformance');
    return {
      config: (id, schema) => ({ id, type: 'postgres', url: database.url, schema }),
      dispose: () => database.drop(),
    };
  },
};
