import { describe, expect, it } from 'vitest';
import type { DestinationCapabilities } from './capabilities.ts';
import type { Destination } from './destination.ts';
import { DESTINATION_TYPES, useTestDestination } from './testing/test-destinations.ts';

/**
 * Each destination's declared capabilities steer the engine between evolving a table in place
 * and rebuilding it, so each one is checked against what the real warehouse does: a capability
 * declared true must work, one declared false must really fail (or, for varchar lengths, not be
 * enforced).
 */
describe.each(DESTINATION_TYPES)('%s capabilities match the warehouse', (type) => {
  const open = useTestDestination(type);

  /** A fresh keyed table: integer key, integer and varchar(8) columns, one row. */
  async function keyedTable(destination: Destination, name: string): Promise<{ table: string; q(column: string): string }> {
    const q = (column: string) => destination.dialect.quoteIdentifier(column);
    const table = destination.relation(name);
    await destination.ensureSchema();
    await destination.execute([
      `DROP TABLE IF EXISTS ${table}`,
      `CREATE TABLE ${table} (${q('k')} INTEGER NOT NULL PRIMARY KEY, ${q('v')} INTEGER, ${q('s')} VARCHAR(8))`,
      `INSERT INTO ${table} VALUES (1, 2, 'eight ch')`,
    ]);
    return { table, q };
  }

  const succeeds = (work: Promise<unknown>) => work.then(() => true, () => false);

  it.each([
    'transactionalDdl',
    'alterColumnTypeInPlace',
    'alterPrimaryKeyColumnTypeInPlace',
    'addColumnWithPrimaryKey',
    'enforcesVarcharLength',
  ] satisfies (keyof DestinationCapabilities)[])('%s', async (capability) => {
    const { destination } = await open();
    const name = `caps_${capability.toLowerCase()}`;
    const { table, q } = await keyedTable(destination, name);
    let actual: boolean;
    switch (capability) {
      case 'transactionalDdl': {
        const scratch = destination.relation(`${name}_scratch`);
        await succeeds(
          destination.transaction(async (session) => {
            await session.execute([`CREATE TABLE ${scratch} (${q('x')} INTEGER)`]);
            throw new Error('roll back');
          }),
        );
        actual = (await destination.introspect(`${name}_scratch`)) === undefined;
        break;
      }
      case 'alterColumnTypeInPlace':
        actual = await succeeds(destination.alterColumnType(name, 'v', destination.dialect.columnType({ kind: 'bigint' })));
        break;
      case 'alterPrimaryKeyColumnTypeInPlace':
        actual = await succeeds(destination.alterColumnType(name, 'k', destination.dialect.columnType({ kind: 'bigint' })));
        break;
      case 'addColumnWithPrimaryKey':
        actual = await succeeds(destination.execute([`ALTER TABLE ${table} ADD COLUMN ${q('n')} INTEGER`]));
        break;
      case 'enforcesVarcharLength':
        actual = !(await succeeds(destination.execute([`INSERT INTO ${table} VALUES (2, 3, 'nine char')`])));
        break;
    }
    expect(actual, `${type} ${capability}`).toBe(destination.capabilities[capability]);
    // An in-place change keeps the row it had.
    expect(await destination.query(`SELECT CAST(${q('v')} AS VARCHAR(20)) FROM ${table} WHERE ${q('k')} = 1`)).toEqual([['2']]);
  });
});
