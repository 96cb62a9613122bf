import { join } from 'node:path';
import type { ConformanceDestination } from '../conformance-destination.ts';

export const duckdb: ConformanceDestination = {
  expectations: {
    folded: { order: 'order', select: 'select', CamelCase: 'camelcase', größe: 'größe' },
    // DuckDB neither keeps nor enforces a varchar length: the widening changes nothing.
    varcharType: { before: 'VARCHAR', after: 'VARCHAR' },
    widening: 'evolve',
    // Ferry's DuckDB tables declare no key constraint, which is what made DuckDB refuse this.
    keyWidening: 'evolve',
    everyTypeColumns: {
      tenant_id: 'VARCHAR',
      id: 'INTEGER',
      note: 'VARCHAR',
      Label: 'VARCHAR',
      small: 'SMALLINT',
      regular: 'INTEGER',
      big: 'BIGINT',
      amount: 'DECIMAL(38,9)',
      ratio: 'FLOAT',
      weight: 'DOUBLE',
      flag: 'BOOLEAN',
      day: 'DATE',
      at_time: 'TIME',
      local_at: 'TIMESTAMP',
      updated_at: 'TIMESTAMP WITH TIME ZONE',
      order: 'JSON',
      ref: 'UUID',
    },
  },
  async open(dir) {
    return {
      config: (id, schema) => ({ id, type: 'duckdb', path: join(dir, `${id}.duckdb`), schema }),
      dispose: async () => {},
    };
  },
};
