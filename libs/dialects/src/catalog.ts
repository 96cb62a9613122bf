import type { ExportModelSpec } from '@ferry/schema';
import type { DialectName, ModelSql } from './dialect.ts';

/**
 * The layout of the generated catalog that this Ferry reads. The generator writes it into every
 * catalog; the runtime refuses a catalog of another format, since its SQL may not fit the engine.
 */
export const CATALOG_FORMAT = 4;

/**
 * A generated catalog (`libs/generated` in a Ferry workspace): the export models and their SQL per
 * dialect, typed by model name. `ferry generate` writes it from the dbt manifest; `ferry
 * plan|sync` load it through ferry.yaml's `project.generated`.
 */
export interface Catalog<Model extends string = string> {
  readonly format: number;
  /** The Ferry version that generated it. */
  readonly ferryVersion: string;
  /** The manifest's digest when it was generated (run-specific fields left out, keys sorted: manifestDigest in @ferry/generator). */
  readonly manifestDigest: string;
  readonly exportModels: Readonly<Record<Model, ExportModelSpec>>;
  readonly modelSql: Readonly<Record<DialectName, Readonly<Record<Model, ModelSql>>>>;
}
