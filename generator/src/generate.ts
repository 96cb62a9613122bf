import { join } from 'node:path';
import { emitTypeScript } from './emit/typescript.ts';
import { renderAllSql } from './emit/sql.ts';
import { loadManifest } from './manifest/load.ts';
import { selectExportModels, type SelectionNote } from './export-models/select.ts';
import { compareGeneratedTree, writeGeneratedTree, type Drift } from './output/write.ts';
import type { GeneratedFile } from './emit/generated-file.ts';
import type { ExportModelSpec } from '@ferry/schema';

export interface GenerateOptions {
  /** dbt's manifest.json. */
  readonly manifestPath: string;
  /** The generated library's source folder, replaced as a whole (libs/generated/src). */
  readonly outDir: string;
  /** Compare instead of writing. */
  readonly check?: boolean;
}

export interface GenerateResult {
  readonly models: readonly ExportModelSpec[];
  readonly notes: readonly SelectionNote[];
  readonly files: readonly GeneratedFile[];
  /** Present in check mode: how the committed output differs from a fresh generation. */
  readonly drift?: Drift;
}

/** Everything the generator would write for a manifest, in memory; nothing touches the disk. */
export async function renderGeneratedFiles(manifestPath: string) {
  const manifest = await loadManifest(manifestPath);
  const { models, notes } = selectExportModels(manifest);
  const sql = renderAllSql(models);
  return { models, notes, files: emitTypeScript(models, sql) };
}

/**
 * manifest.json -> libs/generated. All validation and rendering happens before the first write,
 * so bad input writes nothing.
 */
export async function generate(options: GenerateOptions): Promise<GenerateResult> {
  const rendered = await renderGeneratedFiles(options.manifestPath);
  if (options.check) {
    return { ...rendered, drift: await compareGeneratedTree(options.outDir, rendered.files) };
  }
  await writeGeneratedTree(options.outDir, rendered.files);
  return rendered;
}

/** Default locations, relative to the workspace root. */
export function defaultPaths(root: string) {
  return {
    dbtProject: join(root, 'dbt_project'),
    manifestPath: join(root, 'dbt_project', 'manifest.json'),
    duckdbSourcePath: join(root, 'dbt_project', 'compiled', 'duckdb.sql'),
    outDir: join(root, 'libs', 'generated', 'src'),
  };
}
