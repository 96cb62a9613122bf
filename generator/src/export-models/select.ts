import {
  ORDERABLE_KINDS,
  UnsupportedTypeError,
  fingerprintOf,
  formatLogicalType,
  parseDataType,
  type ColumnSpec,
  type ExportModelSpec,
  type LogicalTypeKind,
} from '@ferry/schema';
import type { Manifest, ModelNode } from '../manifest/schema.ts';
import { GeneratorError, atModel, type Problem } from '../problems.ts';
import { columnSettingsSchema, isTaggedPii, modelSettingsSchema, rawColumnSettings, rawModelSettings, type ModelSettings } from './ferry-meta.ts';

/** What the generator tells the user it did besides emitting code (e.g. PII columns left out). */
export interface SelectionNote {
  readonly model: string;
  readonly message: string;
}

export interface Selection {
  /** Export models sorted by name, so output never depends on manifest order. */
  readonly models: readonly ExportModelSpec[];
  readonly notes: readonly SelectionNote[];
}

/** A soft-delete column marks a row deleted when it holds a time, or true. */
const SOFT_DELETE_KINDS: ReadonlySet<LogicalTypeKind> = new Set(['timestamp', 'timestamptz', 'date', 'boolean']);

/**
 * Picks the export models (`ferry.export: true`) out of a manifest and turns each into an
 * ExportModelSpec, checking every rule of the export-model contract (dbt_project/README.md).
 * @throws GeneratorError listing every problem in every model.
 */
export function selectExportModels(manifest: Manifest): Selection {
  const problems: Problem[] = [];
  const notes: SelectionNote[] = [];
  const models: ExportModelSpec[] = [];

  const nodes = manifest.models.filter((node) => node.config.enabled !== false).sort((a, b) => a.unique_id.localeCompare(b.unique_id));

  for (const node of nodes) {
    const rawSettings = rawModelSettings(node);
    if (rawSettings === undefined) continue;
    const parsed = modelSettingsSchema.safeParse(rawSettings);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        problems.push({
          at: atModel(node.name),
          message: `meta.ferry${issue.path.length ? `.${issue.path.join('.')}` : ''}: ${issue.message}`,
          fix: 'the settings are export, tenant_column, primary_key, cursor, null_cursor, soft_delete, destination_name (see dbt_project/README.md)',
        });
      }
      continue;
    }
    if (parsed.data.export !== true) continue;
    const model = toExportModel(node, parsed.data, problems, notes);
    if (model) models.push(model);
  }

  checkUniqueNames(models, problems);
  if (problems.length > 0) {
    throw new GeneratorError(`The dbt manifest has ${problems.length} problem(s) with export models:`, problems);
  }
  models.sort((a, b) => a.name.localeCompare(b.name));
  return { models, notes };
}

function toExportModel(node: ModelNode, settings: ModelSettings, problems: Problem[], notes: SelectionNote[]): ExportModelSpec | undefined {
  const model = node.name;
  const before = problems.length;
  const problem = (message: string, fix: string, column?: string) => problems.push({ at: atModel(model, column), message, fix });

  if (node.config.contract?.enforced !== true) {
    problem(
      'an export model needs an enforced dbt contract, so every column has a declared type',
      'add `config: {contract: {enforced: true}}` to the model and a data_type to every column',
    );
  }

  const pii = new Set<string>();
  const columns: ColumnSpec[] = [];
  const declared = Object.values(node.columns);
  if (declared.length === 0) {
    problem('declares no columns', 'list every column with its data_type in the model YAML');
  }
  const notNull = new Set(declared.filter((c) => (c.constraints ?? []).some((k) => k.type === 'not_null')).map((c) => c.name));
  const primaryKey = primaryKeyOf(node, settings);
  for (const key of primaryKey) notNull.add(key);

  for (const column of declared) {
    const parsed = columnSettingsSchema.safeParse(rawColumnSettings(column) ?? {});
    if (!parsed.success) {
      problem(`meta.ferry: ${parsed.error.issues.map((i) => i.message).join('; ')}`, 'column settings are pii and destination_name', column.name);
      continue;
    }
    if (parsed.data.pii === true || isTaggedPii(column)) {
      pii.add(column.name);
      continue;
    }
    if (!column.data_type) {
      problem('has no data_type', 'declare `data_type:` for the column (the contract requires it)', column.name);
      continue;
    }
    try {
      const type = parseDataType(column.data_type);
      columns.push({
        name: column.name,
        destinationName: parsed.data.destination_name ?? column.name,
        type,
        nullable: !notNull.has(column.name),
        dataType: column.data_type,
        ...(column.description ? { description: column.description } : {}),
      });
    } catch (error) {
      if (!(error instanceof UnsupportedTypeError)) throw error;
      problem(`data_type "${column.data_type}" is not supported`, error.fix, column.name);
    }
  }

  const byName = new Map(columns.map((c) => [c.name, c]));
  const role = (setting: string, column: string | undefined): ColumnSpec | undefined => {
    if (column === undefined) return undefined;
    if (pii.has(column)) {
      problem(
        `is the ${setting} but is marked PII, and PII is never exported`,
        `choose a non-PII ${setting}, or remove the pii mark if the column holds no personal data`,
        column,
      );
      return undefined;
    }
    const spec = byName.get(column);
    if (!spec && !declared.some((c) => c.name === column)) {
      problem(`is named as the ${setting} but the model declares no such column`, `declare it, or fix meta.ferry`, column);
    }
    return spec;
  };

  if (settings.tenant_column === undefined) {
    problem(
      'has no tenant column, so Ferry cannot restrict rows to one recipient',
      'set meta.ferry.tenant_column to the column holding the tenant value',
    );
  }
  role('tenant column', settings.tenant_column);

  if (primaryKey.length === 0) {
    problem('has no primary key', 'set meta.ferry.primary_key, or add a dbt primary_key constraint to the model or a column');
  }
  for (const key of primaryKey) role('primary key', key);

  const cursor = role('cursor', settings.cursor);
  if (cursor && !ORDERABLE_KINDS.has(cursor.type.kind)) {
    problem(
      `is the cursor but its type ${formatLogicalType(cursor.type)} has no usable order`,
      'use a timestamp, timestamptz, date, integer, bigint or numeric last-modified column',
      cursor.name,
    );
  }
  if (cursor?.nullable && settings.null_cursor === undefined) {
    problem(
      'is the cursor but the contract lets it be NULL, and an incremental sync never reads a row whose cursor is NULL',
      'add `constraints: [{type: not_null}]` to the column, or set meta.ferry.null_cursor: always_read ' +
        '(such rows are re-read on every sync) or refuse (a sync fails while any exists)',
      cursor.name,
    );
  }
  if (settings.null_cursor !== undefined && settings.cursor === undefined) {
    problem('sets meta.ferry.null_cursor but has no cursor', 'remove null_cursor, or set meta.ferry.cursor');
  }
  const softDelete = role('soft-delete column', settings.soft_delete);
  if (softDelete && !SOFT_DELETE_KINDS.has(softDelete.type.kind)) {
    problem(
      `is the soft-delete column but its type ${formatLogicalType(softDelete.type)} cannot mark a deletion`,
      'use a timestamp/timestamptz/date (deleted when not null) or a boolean (deleted when true)',
      softDelete.name,
    );
  }

  if (problems.length > before) return undefined;
  for (const name of [...pii].sort()) {
    notes.push({ model, message: `left out PII column "${name}"` });
  }
  const spec: Omit<ExportModelSpec, 'fingerprint'> = {
    name: model,
    destinationName: settings.destination_name ?? model,
    ...(node.description ? { description: node.description } : {}),
    source: {
      ...(node.database ? { database: node.database } : {}),
      schema: node.schema,
      identifier: node.alias ?? node.name,
    },
    columns,
    primaryKey,
    tenantColumn: settings.tenant_column as string,
    ...(settings.cursor ? { cursor: settings.cursor } : {}),
    ...(settings.cursor && settings.null_cursor && byName.get(settings.cursor)?.nullable ? { nullCursor: settings.null_cursor } : {}),
    ...(settings.soft_delete ? { softDelete: settings.soft_delete } : {}),
  };
  return { ...spec, fingerprint: fingerprintOf(spec) };
}

/** meta.ferry.primary_key, else a model-level primary_key constraint, else column-level ones. */
function primaryKeyOf(node: ModelNode, settings: ModelSettings): string[] {
  if (settings.primary_key !== undefined) {
    return typeof settings.primary_key === 'string' ? [settings.primary_key] : settings.primary_key;
  }
  const modelLevel = (node.constraints ?? []).find((c) => c.type === 'primary_key');
  if (modelLevel?.columns?.length) return modelLevel.columns;
  return Object.values(node.columns)
    .filter((c) => (c.constraints ?? []).some((k) => k.type === 'primary_key'))
    .map((c) => c.name);
}

function checkUniqueNames(models: readonly ExportModelSpec[], problems: Problem[]): void {
  const seen = new Map<string, string>();
  for (const model of models) {
    const key = model.destinationName.toLowerCase();
    const other = seen.get(key);
    if (other) {
      problems.push({
        at: atModel(model.name),
        message: `exports to the same destination table "${model.destinationName}" as model "${other}"`,
        fix: 'set a distinct meta.ferry.destination_name on one of them',
      });
    } else {
      seen.set(key, model.name);
    }
  }
}
