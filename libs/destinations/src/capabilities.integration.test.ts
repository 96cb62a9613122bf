import { bindRelations, renderModelSql } from '@ferry/dialects';
import { formatLogicalType, type ColumnSpec, type ExportModelSpec, type LogicalType } from '@ferry/schema';
import { describe, expect, it } from 'vitest';
import type { DestinationCapabilities } from './capabilities.ts';
import type { DestinationType } from './destination-modules.ts';
import type { Destination } from './destination.ts';
import { useTestDestination } from '@ferry/test';
import { DESTINATION_TYPES } from './destination-modules.ts';

/**
 * Each destination's declared capabilities steer the engine between evolving a table in place
 * and rebuilding it, so each one is checked against what the real warehouse does: a capability
 * declared true must work, one declared false must really fail (or, for varchar lengths, not be
 * enforced).
 */
const column = (name: string, type: LogicalType, nullable = true): ColumnSpec => ({
  name,
  destinationName: name,
  type,
  nullable,
  dataType: formatLogicalType(type),
});

/** The keyed table as Ferry creates tables (its create_table template), so each warehouse gets its own DDL. */
const KEYED: ExportModelSpec = {
  name: 'caps',
  destinationName: 'caps',
  source: { schema: 'analytics', identifier: 'caps' },
  columns: [column('k', { kind: 'integer' }, false), column('v', { kind: 'integer' }), column('s', { kind: 'varchar', length: 8 })],
  primaryKey: ['k'],
  tenantColumn: 'k',
  fingerprint: 'caps',
};

/**
 * Known emulator differences: where a type's test warehouse is an emulator that does not behave as
 * the real warehouse on a capability, what the emulator does instead. The capabilities themselves
 * stay those of the real warehouse. Snowflake's emulator (fakesnow on DuckDB) keeps VARCHAR(n)
 * lengths as metadata without enforcing them; with FERRY_TEST_SNOWFLAKE_ACCOUNT the tests run on
 * real Snowflake, which enforces them. Without FERRY_TEST_REDSHIFT_URL, Redshift's SQL runs on
 * Postgres, which enforces the primary key Redshift only records.
 */
const EMULATOR_DIFFERENCES: Partial<Record<DestinationType, Partial<DestinationCapabilities>>> = {
  ...(process.env.FERRY_TEST_SNOWFLAKE_ACCOUNT ? {} : { snowflake: { enforcesVarcharLength: false } }),
  ...(process.env.FERRY_TEST_REDSHIFT_URL ? {} : { redshift: { enforcesPrimaryKey: true } }),
};

describe.each(DESTINATION_TYPES)('%s capabilities match the warehouse', (type) => {
  const open = useTestDestination(type);

  /** A fresh keyed table: integer key, integer and varchar(8) columns, one row. */
  async function keyedTable(destination: Destination, name: string): Promise<{ table: string; q(column: string): string }> {
    const q = (column: string) => destination.dialect.quoteIdentifier(destination.dialect.foldIdentifier(column));
    const table = destination.relation(name);
    await destination.ensureSchema();
    await destination.execute([
      `DROP TABLE IF EXISTS ${table}`,
      ...renderModelSql(destination.dialect, KEYED).createTable.map((statement) => bindRelations(statement, { target: table })),
      `INSERT INTO ${table} VALUES (1, 2, 'eight ch')`,
    ]);
    return { table, q };
  }

  const succeeds = (work: Promise<unknown>) =>
    work.then(
      () => true,
      () => false,
    );

  it.each([
    'transactionalDdl',
    'alterColumnTypeInPlace',
    'alterPrimaryKeyColumnTypeInPlace',
    'addColumnWithPrimaryKey',
    'enforcesVarcharLength',
    'enforcesPrimaryKey',
  ] satisfies (keyof DestinationCapabilities)[])('%s', async (capability) => {
    const { destination } = await open();
    const name = `caps_${capability.toLowerCase()}`;
    const { table, q } = await keyedTable(destination, name);
    let actual: boolean;
    switch (capability) {
      case 'transactionalDdl': {
        const create = `CREATE TABLE ${destination.relation(`${name}_scratch`)} (${q('x')} INTEGER)`;
        let refused = false;
        await destination
          .transaction(async (session) => {
            await session.execute([create]);
            throw new Error('roll back');
          })
          .catch((error: Error) => {
            refused = /commits DDL at once/.test(error.message);
          });
        // Snowflake's destination refuses DDL inside its transactions: the warehouse itself is probed
        // with the same statements sent one by one.
        if (refused) await succeeds(destination.execute(['BEGIN', create, 'ROLLBACK']));
        actual = (await destination.introspect(`${name}_scratch`)) === undefined;
        break;
      }
      case 'alterColumnTypeInPlace':
        actual = await succeeds(
          destination.alterColumnType(name, destination.dialect.foldIdentifier('v'), destination.dialect.columnType({ kind: 'bigint' })),
        );
        break;
      case 'alterPrimaryKeyColumnTypeInPlace':
        actual = await succeeds(
          destination.alterColumnType(name, destination.dialect.foldIdentifier('k'), destination.dialect.columnType({ kind: 'bigint' })),
        );
        break;
      case 'addColumnWithPrimaryKey':
        actual = await succeeds(destination.execute([`ALTER TABLE ${table} ADD COLUMN ${q('n')} INTEGER`]));
        break;
      case 'enforcesVarcharLength':
        // Five times the model's 8: over the limit also where the warehouse counts bytes (Redshift: 4 per character).
        actual = !(await succeeds(destination.execute([`INSERT INTO ${table} VALUES (2, 3, '${'x'.repeat(40)}')`])));
        break;
      case 'enforcesPrimaryKey':
        // The same values again: a warehouse that takes the row keeps two equal ones.
        actual = !(await succeeds(destination.execute([`INSERT INTO ${table} VALUES (1, 2, 'eight ch')`])));
        break;
    }
    expect(actual, `${type} ${capability}`).toBe(EMULATOR_DIFFERENCES[type]?.[capability] ?? destination.capabilities[capability]);
    // An in-place change keeps the row it had.
    expect(
      await destination.query(
        `SELECT DISTINCT CAST(${q('v')} AS ${destination.dialect.columnType({ kind: 'text' })}) FROM ${table} WHERE ${q('k')} = 1`,
      ),
    ).toEqual([['2']]);
  });
});
