import type { ExportModelSpec } from '@ferry/schema';
import { afterAll, describe, expect, it } from 'vitest';
import { bindRelations, type Relations } from '../bind-relations.ts';
import type { Dialect } from '../dialect.ts';
import { renderModelSql } from '../render.ts';
import { orderTagsModel, withoutColumns, withoutCursor } from './orders-model.ts';
import type { TestWarehouse } from './warehouse.ts';

/** A row by source column name, every value in the text form the warehouse prints it in. */
type Row = Readonly<Record<string, string | null>>;

/** The largest values of every type, unicode, quotes and a backslash. */
const LARGEST: Row = {
  tenant_id: 'acme',
  order_id: '9223372036854775807',
  order: 'express',
  userId: 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
  quantity: '32767',
  line_count: '2147483647',
  amount: '99999999999999999999999999999.999999999',
  discount_rate: '1.5',
  weight_kg: '0.1',
  is_gift: 'true',
  ship_date: '2024-02-29',
  ship_time: '23:59:59.999999',
  placed_at: '2024-02-29 23:59:59.999999',
  attributes: '{"a": [1, 2.5, "größe 🚢"], "b": null}',
  note: `größe 🚢 "double" 'single' back\\slash`,
  updated_at: '2024-03-01 12:00:00.000001+00',
  deleted_at: null,
};

/** The smallest values of every type, and empty strings where LARGEST has text. */
const SMALLEST: Row = {
  tenant_id: 'acme',
  order_id: '-9223372036854775808',
  order: '',
  userId: '00000000-0000-0000-0000-000000000000',
  quantity: '-32768',
  line_count: '-2147483648',
  amount: '-99999999999999999999999999999.999999999',
  discount_rate: '-0.25',
  weight_kg: '2.5',
  is_gift: 'false',
  ship_date: '0001-01-01',
  ship_time: '00:00:00',
  placed_at: '1970-01-01 00:00:00.000001',
  attributes: '[]',
  note: '',
  updated_at: '2024-03-01 12:00:00+00',
  deleted_at: '2024-03-02 00:00:00+00',
};

/** NULL in every nullable column, next to SMALLEST's empty strings. */
const NULLS: Row = {
  ...Object.fromEntries(Object.keys(LARGEST).map((name) => [name, null])),
  tenant_id: 'globex',
  order_id: '1',
  updated_at: '2024-03-01 12:00:00+00',
};

export interface MergeScenario {
  readonly dialect: Dialect;
  /** The orders fixture, less what the warehouse under test cannot hold. */
  readonly model: ExportModelSpec;
  connect(): Promise<TestWarehouse>;
  /** Whether add_column may run again for a column the table has (ADD COLUMN IF NOT EXISTS). */
  readonly addColumnTwice: boolean;
  /** What the merge fails with when staging holds two rows for one key. */
  readonly duplicateKeyError: RegExp;
}

/**
 * Runs a dialect's rendered SQL on a live database through a sync's life: create, merge,
 * merge again, older and newer rows, deletes, schema evolution, and exact round trips.
 */
export function describeMergeScenario(scenario: MergeScenario): void {
  const { dialect, model } = scenario;

  describe(`${dialect.name} SQL on a live database`, () => {
    // Each test connects (once, shared), so a database that is down fails every test rather
    // than skipping them all, as a failing beforeAll would.
    let connecting: Promise<TestWarehouse> | undefined;
    let tables = 0;
    afterAll(async () => {
      const warehouse = await connecting?.catch(() => undefined);
      await warehouse?.close();
    });

    /** A new destination table (created twice, to show create_table is idempotent) and its helpers. */
    async function destination(tableModel: ExportModelSpec = model) {
      const warehouse = await (connecting ??= scenario.connect());
      tables += 1;
      const sql = renderModelSql(dialect, tableModel);
      const relations: Relations = {
        target: `${warehouse.schema}.${dialect.quoteIdentifier(`${sql.table}_${tables}`)}`,
        staging: dialect.quoteIdentifier(`staging_${tables}`),
        deletedKeys: dialect.quoteIdentifier(`deleted_keys_${tables}`),
      };
      /** Runs statements in order; resolves to the row count of the last one. */
      const run = async (statements: readonly string[]) => {
        let changed = 0;
        for (const statement of statements) changed = await warehouse.execute(bindRelations(statement, relations));
        return changed;
      };
      const insert = async (relation: 'staging' | 'deletedKeys', names: readonly string[], rows: readonly Row[]) => {
        const columns = tableModel.columns.filter((c) => names.includes(c.name));
        const values = rows.map((row) => `(${columns.map((c) => literal(row[c.name] ?? null, dialect.columnType(c.type))).join(', ')})`);
        const list = columns.map((c) => dialect.quoteIdentifier(sql.columns[c.name]!)).join(', ');
        await warehouse.execute(`INSERT INTO ${relations[relation]} (${list}) VALUES ${values.join(', ')}`);
      };
      const allColumns = tableModel.columns.map((c) => c.name);
      await run(sql.createTable);
      await run(sql.createTable);
      return {
        sql,
        relations,
        run,
        query: (sql: string) => warehouse.rows(sql),
        /** Stages rows afresh and merges them; resolves to the destination rows inserted or updated. */
        async merge(rows: readonly Row[]) {
          await run(sql.dropStaging);
          await run(sql.createStaging);
          await insert('staging', allColumns, rows);
          return run(sql.merge);
        },
        /** Deletes rows by primary key; resolves to the destination rows deleted. */
        async deleteKeys(rows: readonly Row[]) {
          await run(sql.createDeletedKeys);
          await insert('deletedKeys', tableModel.primaryKey, rows);
          const deleted = await run(sql.deleteByKeys);
          await run(sql.dropDeletedKeys);
          return deleted;
        },
        /** The destination's rows as text, by source column name, in key order. */
        async rows() {
          const select = tableModel.columns.map(
            (c) => `CAST(${dialect.quoteIdentifier(sql.columns[c.name]!)} AS VARCHAR) AS ${dialect.quoteIdentifier(c.name)}`,
          );
          const order = tableModel.primaryKey.map((name) => dialect.quoteIdentifier(sql.columns[name]!));
          return warehouse.rows(`SELECT ${select.join(', ')} FROM ${relations.target} ORDER BY ${order.join(', ')}`);
        },
        /** A row as the destination should hold it: only this model's columns. */
        expected(row: Row): Row {
          return Object.fromEntries(allColumns.map((name) => [name, row[name] ?? null]));
        },
      };
    }

    it('creates the table, merges new rows and round-trips every type exactly', async () => {
      const table = await destination();
      expect(await table.merge([LARGEST, SMALLEST, NULLS])).toBe(3);
      expect(await table.rows()).toEqual([SMALLEST, LARGEST, NULLS].map(table.expected));
    });

    it('changes nothing when the same rows are merged again', async () => {
      const table = await destination();
      await table.merge([LARGEST, SMALLEST, NULLS]);
      expect(await table.merge([LARGEST, SMALLEST, NULLS])).toBe(0);
      expect(await table.rows()).toEqual([SMALLEST, LARGEST, NULLS].map(table.expected));
    });

    it('ignores a row whose cursor is older than the destination row', async () => {
      const table = await destination();
      await table.merge([LARGEST]);
      expect(await table.merge([{ ...LARGEST, note: 'older', updated_at: '2024-03-01 11:59:59.999999+00' }])).toBe(0);
      expect(await table.rows()).toEqual([table.expected(LARGEST)]);
    });

    it('applies a row whose cursor is newer, and a changed row with the same cursor', async () => {
      const table = await destination();
      await table.merge([LARGEST, NULLS]);
      const newer = { ...LARGEST, note: 'newer', updated_at: '2024-03-01 12:00:00.000002+00' };
      expect(await table.merge([newer, NULLS])).toBe(1);
      const tie = { ...newer, note: 'same cursor, new value' };
      expect(await table.merge([tie])).toBe(1);
      expect(await table.rows()).toEqual([tie, NULLS].map(table.expected));
    });

    it('inserts a new key next to existing rows', async () => {
      const table = await destination();
      await table.merge([LARGEST]);
      expect(await table.merge([LARGEST, SMALLEST])).toBe(1);
      expect(await table.rows()).toEqual([SMALLEST, LARGEST].map(table.expected));
    });

    it('deletes the rows whose keys are in deleted_keys, and only those', async () => {
      const table = await destination();
      await table.merge([LARGEST, SMALLEST, NULLS]);
      expect(await table.deleteKeys([SMALLEST, { tenant_id: 'globex', order_id: '404' }])).toBe(1);
      expect(await table.rows()).toEqual([LARGEST, NULLS].map(table.expected));
    });

    it('fails the merge when staging holds two rows for one key, changing nothing', async () => {
      const table = await destination();
      await table.merge([LARGEST]);
      const twins = [
        { ...LARGEST, note: 'one', updated_at: '2024-03-02 00:00:00+00' },
        { ...LARGEST, note: 'two', updated_at: '2024-03-02 00:00:00+00' },
      ];
      await expect(table.merge(twins)).rejects.toThrow(scenario.duplicateKeyError);
      const newTwins = twins.map((row) => ({ ...row, order_id: '7' }));
      await expect(table.merge(newTwins)).rejects.toThrow(scenario.duplicateKeyError);
      expect(await table.rows()).toEqual([table.expected(LARGEST)]);
    });

    it('lets staging win when the model has no cursor', async () => {
      const table = await destination(withoutCursor(model));
      await table.merge([LARGEST]);
      const older = { ...LARGEST, note: 'older but applied', updated_at: '2020-01-01 00:00:00+00' };
      expect(await table.merge([older])).toBe(1);
      expect(await table.rows()).toEqual([table.expected(older)]);
    });

    it('adds a nullable column to an existing table with rows', async () => {
      const before = await destination(withoutColumns(model, 'note'));
      await before.merge([LARGEST]);
      const addNote = renderModelSql(dialect, model).addColumn.note!;
      await before.run(addNote);
      if (scenario.addColumnTwice) {
        await before.run(addNote);
      } else {
        await expect(before.run(addNote)).rejects.toThrow(/already exists/);
      }
      const note = dialect.quoteIdentifier(dialect.foldIdentifier('note'));
      const rows = await before.query(`SELECT CAST(${note} AS VARCHAR) AS note FROM ${before.relations.target}`);
      expect(rows).toEqual([{ note: null }]);
    });

    it('only inserts when every column is a key column', async () => {
      const table = await destination(orderTagsModel);
      const tags = [
        { tenant_id: 'acme', order_id: '1', tag: 'gift' },
        { tenant_id: 'acme', order_id: '1', tag: 'größe' },
      ];
      expect(await table.merge(tags)).toBe(2);
      expect(await table.merge(tags)).toBe(0);
      expect(await table.merge([...tags, { tenant_id: 'acme', order_id: '2', tag: 'gift' }])).toBe(1);
      expect(await table.rows()).toEqual([...tags, { tenant_id: 'acme', order_id: '2', tag: 'gift' }]);
    });
  });
}

/** A typed SQL literal: standard SQL strings (no backslash escapes) in every warehouse under test. */
function literal(value: string | null, type: string): string {
  return value === null ? 'NULL' : `CAST('${value.replaceAll("'", "''")}' AS ${type})`;
}
