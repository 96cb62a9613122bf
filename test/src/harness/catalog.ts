import { CATALOG_FORMAT, DIALECT_NAMES, dialectFor, renderModelSql, type Catalog } from '@ferry/dialects';
import type { ExportModelSpec } from '@ferry/schema';

/**
 * A catalog of hand-made export models, rendered in memory the way `ferry generate` renders a
 * manifest's: for tests that vary a model between syncs without a dbt project.
 */
export function catalogOf(...specs: readonly ExportModelSpec[]): Catalog {
  return {
    format: CATALOG_FORMAT,
    ferryVersion: 'test',
    manifestDigest: 'none: made in memory by a test',
    exportModels: Object.fromEntries(specs.map((spec) => [spec.name, spec])),
    modelSql: Object.fromEntries(
      DIALECT_NAMES.map((name) => [name, Object.fromEntries(specs.map((spec) => [spec.name, renderModelSql(dialectFor(name), spec)]))]),
    ) as Catalog['modelSql'],
  };
}
