export { DIALECT_NAMES, type Dialect, type DialectName, type IdentifierLimit, type ModelSql, type TypeMap } from './dialect.ts';
export { CATALOG_FORMAT, type Catalog } from './catalog.ts';
export { dialects, dialectFor } from './dialects.ts';
export { renderModelSql } from './render.ts';
export { bindRelations, type Relations } from './bind-relations.ts';
export type { KeyHashing } from './key-buckets.ts';
export { IdentifierError } from './identifier-error.ts';
export { typeMappingMarkdown } from './type-mapping-markdown.ts';
export type { DigestColumn, RowDigestQueries } from './row-digests.ts';
