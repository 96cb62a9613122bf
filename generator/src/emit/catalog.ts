import { Project, VariableDeclarationKind, type SourceFile, type WriterFunction } from 'ts-morph';
import { TS_TYPE_OF, formatLogicalType, type ColumnSpec, type ExportModelSpec } from '@ferry/schema';
import { CATALOG_FORMAT, DIALECT_NAMES, TEMPLATE_NAMES, type DialectName, type ModelSql } from '@ferry/dialects';
import { GENERATED_HEADER, type GeneratedFile } from './generated-file.ts';
import { camelName, keyName, pascalName, propertyName, templateLiteral } from './names.ts';

/** What the catalog records about where it came from, so the runtime can tell when it is stale. */
export interface CatalogOrigin {
  /** The digest of the manifest it was generated from (see manifestDigest: run-specific fields left out, keys sorted). */
  readonly manifestDigest: string;
  /** The Ferry version that generated it. */
  readonly ferryVersion: string;
}

/**
 * Emits the generated catalog with ts-morph as plain JavaScript modules, so that the `ferry` CLI
 * loads it at run time with no build step, and `.d.ts` files beside them, so that the vendor's
 * own TypeScript (and `tsc`) sees every model by name: per model a row interface and its spec,
 * per dialect and model the SQL, and indexes that tie them together.
 */
export function emitCatalog(
  models: readonly ExportModelSpec[],
  sql: Readonly<Record<DialectName, ReadonlyMap<string, ModelSql>>>,
  origin: CatalogOrigin,
): GeneratedFile[] {
  const project = new Project({ useInMemoryFileSystem: true, compilerOptions: { allowJs: true } });
  const files: SourceFile[] = [];
  const create = (path: string) => {
    const file = project.createSourceFile(path, '', { overwrite: true });
    files.push(file);
    return file;
  };

  for (const model of models) {
    emitModel(create(`models/${model.name}.js`), model);
    emitModelTypes(create(`models/${model.name}.d.ts`), model);
  }
  emitModelIndex(create('models/index.js'), models);
  emitModelIndexTypes(create('models/index.d.ts'), models);
  for (const dialect of DIALECT_NAMES) {
    for (const model of models) emitModelSql(create(`sql/${dialect}/${model.name}.js`), model, sql[dialect].get(model.name) as ModelSql);
    emitDialectIndex(create(`sql/${dialect}/index.js`), dialect, models);
  }
  emitSqlIndex(create('sql/index.js'));
  emitSqlIndexTypes(create('sql/index.d.ts'));
  emitRootIndex(create('index.js'), origin);
  emitRootIndexTypes(create('index.d.ts'));

  return files.map((file) => {
    file.formatText({ indentSize: 2, convertTabsToSpaces: true });
    return { path: file.getFilePath().replace(/^\//, ''), content: `${GENERATED_HEADER}\n\n${file.getFullText()}` };
  });
}

function emitModel(file: SourceFile, model: ExportModelSpec): void {
  file.addVariableStatement({
    isExported: true,
    declarationKind: VariableDeclarationKind.Const,
    docs: [`Export settings and exported columns of dbt model \`${model.name}\`.`],
    declarations: [{ name: camelName(model.name), initializer: literal(model) }],
  });
}

function emitModelTypes(file: SourceFile, model: ExportModelSpec): void {
  const usesJson = model.columns.some((c) => c.type.kind === 'json');
  file.addImportDeclaration({
    isTypeOnly: true,
    moduleSpecifier: '@ferry/schema',
    namedImports: usesJson ? ['ExportModelSpec', 'JsonValue'] : ['ExportModelSpec'],
  });
  file.addInterface({
    name: `${pascalName(model.name)}Row`,
    isExported: true,
    docs: [`One row of export model \`${model.name}\`${model.description ? `: ${model.description}` : '.'}`],
    properties: model.columns.map((column) => ({
      name: propertyName(column.name),
      type: tsType(column),
      isReadonly: true,
      docs: [columnDoc(column)],
    })),
  });
  file.addVariableStatement({
    isExported: true,
    hasDeclareKeyword: true,
    declarationKind: VariableDeclarationKind.Const,
    docs: [`Export settings and exported columns of dbt model \`${model.name}\`.`],
    declarations: [{ name: camelName(model.name), type: `ExportModelSpec & { readonly name: ${JSON.stringify(model.name)} }` }],
  });
}

function emitModelIndex(file: SourceFile, models: readonly ExportModelSpec[]): void {
  for (const model of models) file.addImportDeclaration({ moduleSpecifier: `./${model.name}.js`, namedImports: [camelName(model.name)] });
  for (const model of models) file.addExportDeclaration({ moduleSpecifier: `./${model.name}.js` });
  file.addVariableStatement({
    isExported: true,
    declarationKind: VariableDeclarationKind.Const,
    docs: ['Every export model, by dbt model name.'],
    declarations: [{ name: 'exportModels', initializer: objectOf(models.map((m) => [m.name, camelName(m.name)])) }],
  });
}

function emitModelIndexTypes(file: SourceFile, models: readonly ExportModelSpec[]): void {
  for (const model of models) {
    file.addImportDeclaration({
      moduleSpecifier: `./${model.name}.js`,
      namedImports: [camelName(model.name), { name: `${pascalName(model.name)}Row`, isTypeOnly: true }],
    });
  }
  for (const model of models) file.addExportDeclaration({ moduleSpecifier: `./${model.name}.js` });
  file.addVariableStatement({
    isExported: true,
    hasDeclareKeyword: true,
    declarationKind: VariableDeclarationKind.Const,
    docs: ['Every export model, by dbt model name.'],
    declarations: [
      {
        name: 'exportModels',
        type: models.length === 0 ? '{}' : `{\n${models.map((m) => `readonly ${propertyName(m.name)}: typeof ${camelName(m.name)};`).join('\n')}\n}`,
      },
    ],
  });
  file.addTypeAlias({ name: 'ExportModelName', isExported: true, type: 'keyof typeof exportModels' });
  file.addInterface({
    name: 'ExportModelRows',
    isExported: true,
    docs: ['The row type of each export model, by dbt model name.'],
    properties: models.map((m) => ({ name: propertyName(m.name), type: `${pascalName(m.name)}Row` })),
  });
}

function emitModelSql(file: SourceFile, model: ExportModelSpec, sql: ModelSql): void {
  const statements = (list: readonly string[]) => `[${list.map(sqlLiteral).join(',\n')}]`;
  const initializer: WriterFunction = (writer) => {
    writer.block(() => {
      writer.writeLine(`table: ${JSON.stringify(sql.table)},`);
      writer.writeLine(`columns: ${objectOf(Object.entries(sql.columns).map(([k, v]) => [k, JSON.stringify(v)]))},`);
      // Every statement list, in the order of the templates; addColumn has one list per column.
      for (const key of TEMPLATE_NAMES) {
        if (key === 'addColumn') {
          writer.writeLine(`addColumn: ${objectOf(Object.entries(sql.addColumn).map(([k, v]) => [k, statements(v)]))},`);
        } else {
          writer.writeLine(`${key}: ${statements(sql[key])},`);
        }
      }
    });
  };
  file.addVariableStatement({
    isExported: true,
    declarationKind: VariableDeclarationKind.Const,
    docs: [`SQL for export model \`${model.name}\` (fingerprint ${model.fingerprint}).`],
    declarations: [{ name: camelName(model.name), initializer }],
  });
}

function emitDialectIndex(file: SourceFile, dialect: DialectName, models: readonly ExportModelSpec[]): void {
  for (const model of models) file.addImportDeclaration({ moduleSpecifier: `./${model.name}.js`, namedImports: [camelName(model.name)] });
  file.addVariableStatement({
    isExported: true,
    declarationKind: VariableDeclarationKind.Const,
    docs: [`SQL for every export model in the ${dialect} dialect.`],
    declarations: [{ name: `${dialect}Sql`, initializer: objectOf(models.map((m) => [m.name, camelName(m.name)])) }],
  });
}

function emitSqlIndex(file: SourceFile): void {
  for (const dialect of DIALECT_NAMES) file.addImportDeclaration({ moduleSpecifier: `./${dialect}/index.js`, namedImports: [`${dialect}Sql`] });
  file.addVariableStatement({
    isExported: true,
    declarationKind: VariableDeclarationKind.Const,
    docs: ['SQL for every export model, by dialect, then by model name.'],
    declarations: [{ name: 'modelSql', initializer: objectOf(DIALECT_NAMES.map((d) => [d, `${d}Sql`])) }],
  });
}

function emitSqlIndexTypes(file: SourceFile): void {
  file.addImportDeclaration({ isTypeOnly: true, moduleSpecifier: '@ferry/dialects', namedImports: ['DialectName', 'ModelSql'] });
  file.addImportDeclaration({ isTypeOnly: true, moduleSpecifier: '../models/index.js', namedImports: ['ExportModelName'] });
  file.addVariableStatement({
    isExported: true,
    hasDeclareKeyword: true,
    declarationKind: VariableDeclarationKind.Const,
    docs: ['SQL for every export model, by dialect, then by model name.'],
    declarations: [{ name: 'modelSql', type: 'Readonly<Record<DialectName, Readonly<Record<ExportModelName, ModelSql>>>>' }],
  });
}

function emitRootIndex(file: SourceFile, origin: CatalogOrigin): void {
  file.addImportDeclaration({ moduleSpecifier: './models/index.js', namedImports: ['exportModels'] });
  file.addImportDeclaration({ moduleSpecifier: './sql/index.js', namedImports: ['modelSql'] });
  file.addExportDeclaration({ moduleSpecifier: './models/index.js' });
  file.addExportDeclaration({ moduleSpecifier: './sql/index.js' });
  file.addVariableStatement({
    isExported: true,
    declarationKind: VariableDeclarationKind.Const,
    docs: ["The whole catalog, as `ferry plan|sync` load it through ferry.yaml's `project.generated`."],
    declarations: [
      {
        name: 'catalog',
        initializer: `{\nformat: ${CATALOG_FORMAT},\nferryVersion: ${JSON.stringify(origin.ferryVersion)},\nmanifestDigest: ${JSON.stringify(origin.manifestDigest)},\nexportModels,\nmodelSql,\n}`,
      },
    ],
  });
}

function emitRootIndexTypes(file: SourceFile): void {
  file.addImportDeclaration({ isTypeOnly: true, moduleSpecifier: '@ferry/dialects', namedImports: ['Catalog'] });
  file.addImportDeclaration({ isTypeOnly: true, moduleSpecifier: './models/index.js', namedImports: ['ExportModelName'] });
  file.addExportDeclaration({ moduleSpecifier: './models/index.js' });
  file.addExportDeclaration({ moduleSpecifier: './sql/index.js' });
  file.addVariableStatement({
    isExported: true,
    hasDeclareKeyword: true,
    declarationKind: VariableDeclarationKind.Const,
    docs: ["The whole catalog, as `ferry plan|sync` load it through ferry.yaml's `project.generated`."],
    declarations: [{ name: 'catalog', type: 'Catalog<ExportModelName>' }],
  });
}

function tsType(column: ColumnSpec): string {
  const base = TS_TYPE_OF[column.type.kind];
  return column.nullable ? `${base} | null` : base;
}

function columnDoc(column: ColumnSpec): string {
  const logical = formatLogicalType(column.type);
  const spelling = column.dataType.toLowerCase() === logical ? '' : ` (dbt: ${column.dataType})`;
  const facts = `${logical}${column.nullable ? '' : ', not null'}${spelling}`;
  return column.description ? `${column.description} — ${facts}` : facts;
}

/** An object literal from [key, already-written value] pairs, keys in the order given. */
function objectOf(entries: readonly (readonly [string, string])[]): string {
  if (entries.length === 0) return '{}';
  const property = ([k, v]: readonly [string, string]) => (keyName(k) === v ? v : `${keyName(k)}: ${v}`);
  return `{\n${entries.map((e) => `${property(e)},`).join('\n')}\n}`;
}

/** Small plain objects (a column, a type) stay on one line, so a spec reads like a table. */
const INLINE_WIDTH = 160;

/**
 * SQL as a template literal, unless it holds backticks (BigQuery quoting): then as lines joined,
 * which reads better than escaping every backtick.
 */
function sqlLiteral(sql: string): string {
  if (!sql.includes('`')) return templateLiteral(sql);
  return `[\n${sql
    .split('\n')
    .map((line) => JSON.stringify(line))
    .join(',\n')},\n].join('\\n')`;
}

/** A plain-data value (a spec) as a JavaScript literal, with bare keys where they are identifiers. */
function literal(value: unknown): string {
  const inline = inlineLiteral(value);
  if (inline.length <= INLINE_WIDTH) return inline;
  if (Array.isArray(value)) return `[\n${value.map((v) => `${literal(v)},`).join('\n')}\n]`;
  if (value !== null && typeof value === 'object') {
    return `{\n${Object.entries(value)
      .map(([k, v]) => `${keyName(k)}: ${literal(v)},`)
      .join('\n')}\n}`;
  }
  return inline;
}

function inlineLiteral(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(inlineLiteral).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    return `{ ${Object.entries(value)
      .map(([k, v]) => `${keyName(k)}: ${inlineLiteral(v)}`)
      .join(', ')} }`;
  }
  return JSON.stringify(value);
}
