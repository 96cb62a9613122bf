import { openSnowflakeTestWarehouse } from '../../harness/emulators/snowflake.ts';
import type { ConformanceDestination } from '../conformance-destination.ts';

/** Column types as real Snowflake's DESCRIBE TABLE reports everyTypeModel's mapping. */
const SNOWFLAKE_TYPES: Readonly<Record<string, string>> = {
  tenant_id: 'VARCHAR(16777216)',
  id: 'NUMBER(10,0)',
  note: 'VARCHAR(16777216)',
  Label: 'VARCHAR(32)',
  small: 'NUMBER(5,0)',
  regular: 'NUMBER(10,0)',
  big: 'NUMBER(19,0)',
  amount: 'NUMBER(38,9)',
  ratio: 'FLOAT',
  weight: 'FLOAT',
  flag: 'BOOLEAN',
  day: 'DATE',
  at_time: 'TIME(6)',
  local_at: 'TIMESTAMP_NTZ(6)',
  updated_at: 'TIMESTAMP_TZ(6)',
  order: 'VARIANT',
  ref: 'VARCHAR(36)',
};

/**
 * Known differences of the emulator (fakesnow on DuckDB): it stores times and timestamps with
 * nanoseconds whatever precision the DDL gives, so DESCRIBE TABLE reports precision 9. The values
 * round-trip alike, Ferry never writing more than microseconds.
 */
const EMULATOR_TYPES: Readonly<Record<string, string>> = {
  at_time: 'TIME(9)',
  local_at: 'TIMESTAMP_NTZ(9)',
  updated_at: 'TIMESTAMP_TZ(9)',
};

const onEmulator = !process.env.FERRY_TEST_SNOWFLAKE_ACCOUNT;

/** Snowflake: real when FERRY_TEST_SNOWFLAKE_* is set, otherwise fakesnow (see harness/emulators/snowflake.ts). */
export const snowflake: ConformanceDestination = {
  expectations: {
    // Unquoted names fold to upper case, ASCII letters only (ß has no single upper-case letter).
    folded: { order: 'ORDER', select: 'SELECT', CamelCase: 'CAMELCASE', größe: 'GRößE' },
    varcharType: { before: 'VARCHAR(16)', after: 'VARCHAR(64)' },
    // ALTER COLUMN ... SET DATA TYPE raises NUMBER precision and VARCHAR length in place, key columns included.
    widening: 'evolve',
    keyWidening: 'evolve',
    everyTypeColumns: { ...SNOWFLAKE_TYPES, ...(onEmulator ? EMULATOR_TYPES : {}) },
  },
  async open() {
    const warehouse = await openSnowflakeTestWarehouse();
    return {
      config: (id, schema) => warehouse.config(id, schema),
      dispose: () => warehouse.dispose(),
    };
  },
};
