export * from './generate.ts';
export * from './problems.ts';
export { loadManifest, parseManifest, SUPPORTED_SCHEMA_VERSIONS } from './manifest/load.ts';
export { formatManifest, manifestDigest, normalizeManifest } from './manifest/normalize.ts';
export { selectExportModels, type Selection, type SelectionNote } from './export-models/select.ts';
export { hasDrift, type Drift } from './output/write.ts';
export type { GeneratedFile } from './emit/generated-file.ts';
export {
  DUCKDB_SOURCE_CATALOG,
  compileDuckDbSource,
  parseDbtProject,
  updateManifest,
  type DbtParseOptions,
} from './manifest/dbt-parse.ts';
