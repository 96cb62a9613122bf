import type { ExportModelSpec } from '@ferry/schema';
import { describe, expect, it } from 'vitest';
import { DIALECT_NAMES, type DialectName } from './dialect.ts';
import { dialects } from './dialects.ts';
import { IdentifierError } from './identifier-error.ts';
import { renderModelSql } from './render.ts';
import { TEMPLATE_NAMES, type TemplateName } from './templates.ts';
import { ordersModel, orderTagsModel, withoutCursor } from '@ferry/test';

/** The orders fixture with one more column, for names that break a dialect's rules. */
function ordersWith(name: string, destinationName = name): ExportModelSpec {
  return { ...ordersModel, columns: [...ordersModel.columns, { ...ordersModel.columns[2]!, name, destinationName }] };
}

/** Every operation rendered from one template, in ModelSql order (addColumn, rendered per column, apart). */
const OPERATIONS = TEMPLATE_NAMES.filter((name): name is Exclude<TemplateName, 'addColumn'> => name !== 'addColumn');

/** The name `userId` collides with after folding, per dialect. */
const USERID_TWIN: Record<DialectName, string> = {
  postgres: 'userid',
  redshift: 'userid',
  snowflake: 'USERID',
  bigquery: 'USERID',
  duckdb: 'USERID',
};

/** The shortest column name over each dialect's limit; null where no name could be (DuckDB: 4 GB). */
const TOO_LONG_COLUMN: Record<DialectName, { readonly name: string; readonly length: string } | null> = {
  // 32 two-byte characters: only 32 characters, but 64 bytes.
  postgres: { name: 'ä'.repeat(32), length: '64 bytes' },
  redshift: { name: `${'x'.repeat(126)}ä`, length: '128 bytes' },
  snowflake: { name: 'x'.repeat(256), length: '256 characters' },
  bigquery: { name: 'ä'.repeat(301), length: '301 characters' },
  duckdb: null,
};

describe.each(DIALECT_NAMES)('renderModelSql for %s', (name) => {
  const dialect = dialects[name];

  it('renders trimmed statements without trailing semicolons', () => {
    const sql = renderModelSql(dialect, ordersModel);
    const statements = [...OPERATIONS.flatMap((operation) => sql[operation]), ...Object.values(sql.addColumn).flat()];
    for (const statement of statements) {
      expect(statement).toBe(statement.trim());
      expect(statement).not.toMatch(/;$/);
      expect(statement.length).toBeGreaterThan(0);
    }
    expect(sql.createTable).toHaveLength(1);
  });

  it('maps every source column to its folded destination name, and can add each', () => {
    const sql = renderModelSql(dialect, ordersModel);
    expect(Object.keys(sql.columns)).toEqual(ordersModel.columns.map((c) => c.name));
    expect(sql.columns.userId).toBe(dialect.foldIdentifier('userId'));
    expect(sql.table).toBe(dialect.foldIdentifier('orders'));
    expect(Object.keys(sql.addColumn)).toEqual(ordersModel.columns.map((c) => c.name));
    expect(sql.addColumn.order!.join('\n')).toContain(dialect.quoteIdentifier(dialect.foldIdentifier('order')));
  });

  it('only inserts when every column is a key column', () => {
    const merge = renderModelSql(dialect, orderTagsModel).merge.join('\n');
    expect(merge).not.toMatch(/UPDATE SET/);
    expect(merge).toMatch(/INSERT/);
  });

  it('compares cursors only when the model has one', () => {
    const cursor = dialect.quoteIdentifier(dialect.foldIdentifier('updated_at'));
    // Backticks and double quotes need no escaping in a RegExp.
    const comparesCursors = new RegExp(`${cursor} (<=|>) `);
    expect(renderModelSql(dialect, ordersModel).merge.join('\n')).toMatch(comparesCursors);
    expect(renderModelSql(dialect, withoutCursor(ordersModel)).merge.join('\n')).not.toMatch(comparesCursors);
  });

  it('rejects two columns that fold to one name, naming model, columns, dialect and fix', () => {
    const twin = USERID_TWIN[name];
    const error = catchError(() => renderModelSql(dialect, ordersWith(twin)));
    expect(error).toBeInstanceOf(IdentifierError);
    expect(error).toMatchObject({ dialect: name, model: 'orders', columns: ['userId', twin] });
    expect(error.message).toBe(
      `export model "orders" on ${name}: columns "userId" and "${twin}" both become "${dialect.foldIdentifier('userId')}", ` +
        `as ${name} folds names to ${name === 'snowflake' ? 'upper' : 'lower'} case. ` +
        'Fix: rename one, or set meta.ferry.destination_name on the column.',
    );
  });

  it('accepts a column name at the length limit and rejects one past it', () => {
    const tooLong = TOO_LONG_COLUMN[name];
    if (tooLong === null) return;
    const atLimit = [...tooLong.name].slice(0, -1).join('');
    expect(() => renderModelSql(dialect, ordersWith(atLimit))).not.toThrow();
    const error = catchError(() => renderModelSql(dialect, ordersWith('long', tooLong.name)));
    expect(error).toMatchObject({ dialect: name, model: 'orders', columns: ['long'] });
    expect(error.message).toContain(`is ${tooLong.length} long, over the ${dialect.maxIdentifierLength}`);
    expect(error.message).toContain('set meta.ferry.destination_name on the column');
  });

  it('rejects an empty name', () => {
    expect(() => renderModelSql(dialect, ordersWith('blank', ''))).toThrow(/column "blank" becomes "", which is empty/);
  });
});

describe('renderModelSql', () => {
  it('checks BigQuery table names against their own limit, in bytes', () => {
    const model = (destinationName: string) => ({ ...ordersModel, destinationName });
    expect(() => renderModelSql(dialects.bigquery, model('t'.repeat(1024)))).not.toThrow();
    expect(() => renderModelSql(dialects.bigquery, model('ä'.repeat(513)))).toThrow(
      /table name "ä+" is 1026 bytes long, over the 1024 bytes bigquery allows\. Fix: .*on the model/,
    );
  });

  it('rejects a key column that is not exported', () => {
    expect(() => renderModelSql(dialects.postgres, { ...ordersModel, primaryKey: ['tenant_id', 'email'] })).toThrow(
      'export model "orders": its primary key column "email" is not one of its exported columns',
    );
  });
});

function catchError(run: () => unknown): Error {
  try {
    run();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected an error');
}
