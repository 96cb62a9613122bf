import type { ExportModelSpec } from '@ferry/schema';
import type { Dialect, ModelSql } from './dialect.ts';
import { destinationNames } from './destination-names.ts';
import { templateContext } from './template-context.ts';
import { renderStatements, type TemplateName } from './templates.ts';

/**
 * Renders the SQL for one export model in one dialect, from the templates in the dialect's folder.
 * Relations stay placeholders ({target}, {staging}, {deleted_keys}) for `bindRelations`.
 * @throws IdentifierError when the dialect cannot hold the model's names.
 * @example
 * const sql = renderModelSql(dialects.postgres, ordersModel);
 * sql.createTable[0] // 'CREATE TABLE IF NOT EXISTS {target} (\n  "tenant_id" TEXT NOT NULL, ...'
 */
export function renderModelSql(dialect: Dialect, model: ExportModelSpec): ModelSql {
  const names = destinationNames(dialect, model);
  const context = templateContext(dialect, model, names);
  const render = (name: TemplateName) => renderStatements(dialect.name, name, context);
  return {
    table: names.table,
    columns: Object.fromEntries(names.columns.map(({ column, name }) => [column.name, name])),
    createTable: render('createTable'),
    createStaging: render('createStaging'),
    createDeletedKeys: render('createDeletedKeys'),
    addColumn: Object.fromEntries(
      context.columns.map((column) => [column.sourceName, renderStatements(dialect.name, 'addColumn', { ...context, column })]),
    ),
    merge: render('merge'),
    deleteByKeys: render('deleteByKeys'),
    dropStaging: render('dropStaging'),
    dropDeletedKeys: render('dropDeletedKeys'),
    countNewRows: render('countNewRows'),
    purgeSoftDeleted: render('purgeSoftDeleted'),
    countNewSoftDeleted: render('countNewSoftDeleted'),
    countLiveRowsFlagged: render('countLiveRowsFlagged'),
    maxCursor: render('maxCursor'),
    countRows: render('countRows'),
    selectRows: render('selectRows'),
  };
}
