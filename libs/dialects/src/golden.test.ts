import type { ExportModelSpec } from '@ferry/schema';
import { describe, expect, it } from 'vitest';
import { DIALECT_NAMES, type Dialect, type ModelSql } from './dialect.ts';
import { dialects } from './dialects.ts';
import { renderModelSql } from './render.ts';
import { TEMPLATE_NAMES, type TemplateName } from './templates.ts';
import { ordersModel, orderTagsModel, withoutCursor } from '@ferry/test';

/** Every operation rendered from one template, in ModelSql order (addColumn, rendered per column, apart). */
const OPERATIONS = TEMPLATE_NAMES.filter((name): name is Exclude<TemplateName, 'addColumn'> => name !== 'addColumn');

function section(title: string, statements: readonly string[]): string {
  return `-- ${title}\n${statements.map((statement) => `${statement};\n`).join('\n')}`;
}

/** Every statement of the orders fixture, then the merges of the no-cursor and insert-only variants. */
function goldenSql(dialect: Dialect): string {
  const orders: ModelSql = renderModelSql(dialect, ordersModel);
  const mergeOf = (model: ExportModelSpec) => renderModelSql(dialect, model).merge;
  return [
    `-- ${dialect.name} SQL rendered from test/src/harness/fixtures/orders-model.ts.\n` +
      '-- Golden file: review every change by eye; update with `npx vitest run libs/dialects -u`.\n',
    ...OPERATIONS.map((operation) => section(`orders: ${operation}`, orders[operation])),
    ...Object.entries(orders.addColumn).map(([column, statements]) => section(`orders: addColumn ${column}`, statements)),
    section('orders without a cursor: merge', mergeOf(withoutCursor(ordersModel))),
    section('order_tags, every column a key: merge', mergeOf(orderTagsModel)),
  ].join('\n');
}

describe.each(DIALECT_NAMES)('%s golden SQL', (name) => {
  it('matches the reviewed golden file', async () => {
    await expect(goldenSql(dialects[name])).toMatchFileSnapshot(`__golden__/${name}.sql`);
  });
});
