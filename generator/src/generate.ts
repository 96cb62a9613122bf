import { createRequire } from 'node:module';
import { emitCatalog } from './emit/catalog.ts';
import { renderAllSql } from './emit/sql.ts';
import { loadManifestJson, parseManifest } from './manifest/load.ts';
import { manifestDigest } from './manifest/normalize.ts';
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

/** Ferry's version, recorded in every catalog it generates. */
export const FERRY_VERSION: string = (createRequire(import.meta.url)('../package.json') as { version: string }).version;

/** Everything the generator would write for a manifest, in memory; nothing touches the disk. */
export async function renderGeneratedFiles(manifestPath: string) {
  const json = await loadManifestJson(manifestPath);
  const { models, notes } = selectExportModels(parseManifest(json, manifestPath));
  const sql = renderAllSql(models);
  return { models, notes, files: emitCatalog(models, sql, { manifestDigest: manifestDigest(json), ferryVersion: FERRY_VERSION }) };
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
