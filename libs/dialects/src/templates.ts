import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type Handlebars from 'handlebars';
import type { DialectName } from './dialect.ts';
import type { AddColumnContext, TemplateColumn, TemplateContext } from './template-context.ts';

/** The operations of ModelSql that come from one template each, and their file names. */
const TEMPLATE_FILES = {
  createTable: 'create_table',
  createStaging: 'create_staging',
  createDeletedKeys: 'create_deleted_keys',
  addColumn: 'add_column',
  merge: 'merge',
  deleteByKeys: 'delete_by_keys',
  dropStaging: 'drop_staging',
  dropDeletedKeys: 'drop_deleted_keys',
  countNewRows: 'count_new_rows',
  purgeSoftDeleted: 'purge_soft_deleted',
  countNewSoftDeleted: 'count_new_soft_deleted',
  countLiveRowsFlagged: 'count_live_rows_flagged',
  maxCursor: 'max_cursor',
  countRows: 'count_rows',
  selectRows: 'select_rows',
} as const;
export type TemplateName = keyof typeof TEMPLATE_FILES;

/** Prefixes a quoted column with a relation alias (`t`, `EXCLUDED`, `{target}`), when one is given. */
function qualified(column: TemplateColumn, alias: unknown): string {
  return typeof alias === 'string' ? `${alias}.${column.name}` : column.name;
}

/** Splits a helper's arguments into the positional ones and the render context. */
function helperArguments(args: unknown[]): { params: unknown[]; context: TemplateContext } {
  const options = args.at(-1) as Handlebars.HelperOptions;
  return { params: args.slice(0, -1), context: options.data.root as TemplateContext };
}

/** Ferry's template helpers. */
const HELPERS: Handlebars.HelperDeclareSpec = {
  /** `{{columnList}}` or `{{columnList "s"}}`: every column, comma-separated. */
  columnList(...args: unknown[]) {
    const { params, context } = helperArguments(args);
    return context.columns.map((column) => qualified(column, params[0])).join(', ');
  },
  /** `{{keyList}}` or `{{keyList "s"}}`: the primary key columns, comma-separated. */
  keyList(...args: unknown[]) {
    const { params, context } = helperArguments(args);
    return context.keyColumns.map((column) => qualified(column, params[0])).join(', ');
  },
  /** `{{keysMatch "t" "s"}}`: the rows of t and s have the same primary key. */
  keysMatch(...args: unknown[]) {
    const { params, context } = helperArguments(args);
    return context.keyColumns.map((column) => `${qualified(column, params[0])} = ${qualified(column, params[1])}`).join(' AND ');
  },
  /** `{{updateSet "s"}}`: every non-key column set from s, one per line. */
  updateSet(...args: unknown[]) {
    const { params, context } = helperArguments(args);
    return context.updateColumns.map((column) => `${column.name} = ${qualified(column, params[0])}`).join(',\n  ');
  },
  /**
   * `{{newerAndChanged "t" "s"}}`: s should replace t. Its cursor is not older than t's (no
   * cursor: always), and some non-key column differs. A NULL cursor on either side orders
   * nothing, so the staged row, read from the source just now, wins: a row whose cursor became
   * NULL (re-read every sync under null_cursor: always_read) still carries its changes.
   */
  newerAndChanged(...args: unknown[]) {
    const { params, context } = helperArguments(args);
    const [target, source] = params as [string, string];
    const changed = `NOT ${unchanged(context, target, source)}`;
    if (context.cursor === undefined) return changed;
    const [t, s] = [`${target}.${context.cursor}`, `${source}.${context.cursor}`];
    return `(${t} IS NULL OR ${s} IS NULL OR ${t} <= ${s})\n  AND ${changed}`;
  },
  /**
   * `{{softDeleted}}` or `{{softDeleted "s"}}`: the row is flagged deleted by the model's
   * soft-delete column: a boolean when TRUE, a timestamp or date when set.
   */
  softDeleted(...args: unknown[]) {
    const { params, context } = helperArguments(args);
    const flag = softDeleteFlag(context, params[0]);
    return context.softDelete?.isBoolean ? `${flag} = TRUE` : `${flag} IS NOT NULL`;
  },
  /** `{{live "t"}}`: the exact opposite of softDeleted (a boolean flag FALSE or NULL, a timestamp NULL). */
  live(...args: unknown[]) {
    const { params, context } = helperArguments(args);
    const flag = softDeleteFlag(context, params[0]);
    return context.softDelete?.isBoolean ? `(${flag} IS NULL OR ${flag} = FALSE)` : `${flag} IS NULL`;
  },
  /** `{{olderOrUnchanged "t" "s"}}`: the exact opposite of newerAndChanged. */
  olderOrUnchanged(...args: unknown[]) {
    const { params, context } = helperArguments(args);
    const [target, source] = params as [string, string];
    if (context.cursor === undefined) return unchanged(context, target, source);
    const [t, s] = [`${target}.${context.cursor}`, `${source}.${context.cursor}`];
    return `(${t} IS NOT NULL AND ${s} IS NOT NULL AND ${t} > ${s})\n  OR ${unchanged(context, target, source)}`;
  },
};

let handlebars: typeof Handlebars | undefined;

/**
 * An isolated Handlebars, so Ferry's helpers never leak into (or clash with) another user's.
 * Made on first render: only rendering SQL (the generator, and tests) needs Handlebars,
 * not everything that imports the dialects, such as the sync engine on every start.
 */
function ferryHandlebars(): typeof Handlebars {
  if (!handlebars) {
    handlebars = (createRequire(import.meta.url)('handlebars') as typeof Handlebars).create();
    handlebars.registerHelper(HELPERS);
    // Partials: SQL several dialects' templates share, `{{> duplicateKeyGuard}}` for templates/partials/duplicate_key_guard.sql.hbs.
    const partials = new URL('./templates/partials/', import.meta.url);
    for (const file of readdirSync(partials).filter((name) => name.endsWith('.sql.hbs'))) {
      const name = file.replace(/\.sql\.hbs$/, '').replace(/_(\w)/g, (_, letter: string) => letter.toUpperCase());
      handlebars.registerPartial(name, readFileSync(new URL(file, partials), 'utf8'));
    }
  }
  return handlebars;
}

/** The model's soft-delete column, qualified by `alias` when one is given. */
function softDeleteFlag(context: TemplateContext, alias: unknown): string {
  if (context.softDelete === undefined) throw new Error('the model has no soft-delete column: branch on softDelete in the template');
  return typeof alias === 'string' ? `${alias}.${context.softDelete.name}` : context.softDelete.name;
}

/** Every non-key column of t holds the same value as in s, one comparison per line. */
function unchanged(context: TemplateContext, target: string, source: string): string {
  if (context.insertOnly) throw new Error('a row comparison needs a non-key column: branch on insertOnly in the template');
  const same = context.updateColumns.map((column) =>
    context.dialect.sameValue(qualified(column, target), qualified(column, source), column.logicalType),
  );
  return `(\n    ${same.join('\n    AND ')}\n  )`;
}

const compiled = new Map<string, Handlebars.TemplateDelegate<TemplateContext>>();

/**
 * The file a dialect renders a statement from: its own (`<dialect>/templates/<name>.sql.hbs`) where
 * its SQL really differs, else the one every other dialect shares (`templates/<name>.sql.hbs`).
 */
export function templateFile(dialect: DialectName, name: TemplateName): URL {
  const own = new URL(`./${dialect}/templates/${TEMPLATE_FILES[name]}.sql.hbs`, import.meta.url);
  return existsSync(own) ? own : new URL(`./templates/${TEMPLATE_FILES[name]}.sql.hbs`, import.meta.url);
}

/** Every template name, for tests that walk them all. */
export const TEMPLATE_NAMES = Object.keys(TEMPLATE_FILES) as TemplateName[];

/** Compiles a dialect's template on first use; templates are read from disk next to this module. */
function template(dialect: DialectName, name: TemplateName): Handlebars.TemplateDelegate<TemplateContext> {
  const key = `${dialect}/${name}`;
  let delegate = compiled.get(key);
  if (!delegate) {
    const source = readFileSync(templateFile(dialect, name), 'utf8');
    // noEscape: the output is SQL, not HTML. strict: a misspelt field fails instead of rendering nothing.
    delegate = ferryHandlebars().compile<TemplateContext>(source, { noEscape: true, strict: true });
    compiled.set(key, delegate);
  }
  return delegate;
}

/**
 * Renders one template into its statements: split where a line ends with `;`, trimmed, without
 * the semicolon, empty ones dropped.
 */
export function renderStatements(dialect: DialectName, name: TemplateName, context: TemplateContext | AddColumnContext): string[] {
  return template(
    dialect,
    name,
  )(context)
    .split(/;[ \t]*$/m)
    .map((statement) => statement.trim())
    .filter((statement) => statement.length > 0);
}
