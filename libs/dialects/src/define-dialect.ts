import type { LogicalType } from '@ferry/schema';
import type { Dialect, DialectName, IdentifierLimit, TypeMap } from './dialect.ts';
import { rowDigestQueries, type RowHashing } from './row-digests.ts';
import {
  duplicateKeyQuery,
  keyBucketsQuery,
  keyInBucketsCondition,
  keysInBucketsQuery,
  insertMissingKeys,
  listedKeyMatchesQuery,
  type KeyHash,
  type KeyHashing,
} from './key-buckets.ts';

/** The parts that differ between dialects; `defineDialect` assembles them into a Dialect. */
export interface DialectDefinition {
  readonly name: DialectName;
  /** The column name limit, and the table name limit unless `tableNameLimit` is given. */
  readonly identifierLimit: IdentifierLimit;
  readonly tableNameLimit?: IdentifierLimit;
  readonly typeMap: TypeMap;
  foldIdentifier(name: string): string;
  quoteIdentifier(folded: string): string;
  sameValue(left: string, right: string, type: LogicalType): string;
  /** The md5 key hash, which every dialect computes alike (see key-buckets.ts). */
  readonly keyHashing: KeyHashing;
  /**
   * Key hashes cheaper than md5's sorted digest that this warehouse also computes, cheapest first
   * (one of its own for the same engine; md5-sum). A comparison uses the first both sides offer.
   */
  readonly moreKeyHashes?: readonly { readonly name: Exclude<KeyHash, 'md5'>; readonly hashing: KeyHashing }[];
  /** See Dialect.slowKeyHashes (default: none). */
  readonly slowKeyHashes?: readonly KeyHash[];
  /** See Dialect.refreshStatistics. */
  refreshStatistics?(relation: string): string;
  /** See Dialect.rowEstimateQuery. */
  rowEstimateQuery?(relation: string): string;
  /** How verify hashes a row inside this warehouse (see row-digests.ts); absent: verify digests rows in Ferry. */
  readonly rowHashing?: RowHashing;
}

/**
 * Builds a Dialect from its definition, so every dialect reads its column types from its
 * TypeMap the same way and each dialect folder holds only what is its own.
 */
export function defineDialect(definition: DialectDefinition): Dialect {
  const { identifierLimit, typeMap, moreKeyHashes = [] } = definition;
  const hashing = (hash: KeyHash = 'md5'): KeyHashing => {
    if (hash === 'md5') return definition.keyHashing;
    const more = moreKeyHashes.find((offered) => offered.name === hash);
    if (more) return more.hashing;
    throw new Error(`the ${definition.name} dialect cannot compute the ${hash} key hash`);
  };
  return {
    name: definition.name,
    maxIdentifierLength: identifierLimit.max,
    identifierLengthUnit: identifierLimit.unit,
    tableNameLimit: definition.tableNameLimit ?? identifierLimit,
    foldIdentifier: definition.foldIdentifier,
    quoteIdentifier: definition.quoteIdentifier,
    columnType: (type) => columnTypeFrom(typeMap, type),
    sameValue: definition.sameValue,
    keyHashes: [...moreKeyHashes.map((offered) => offered.name), 'md5'],
    slowKeyHashes: definition.slowKeyHashes ?? [],
    keyBucketsQuery: (from, keyColumns, prefixLength, hash) => keyBucketsQuery(hashing(hash), from, keyColumns, prefixLength),
    keysInBucketsQuery: (from, keyColumns, prefixLength, buckets, hash) => keysInBucketsQuery(hashing(hash), from, keyColumns, prefixLength, buckets),
    insertMissingKeys: (into, target, kept, keyColumns, prefixLength, buckets, hash) =>
      insertMissingKeys(hashing(hash), into, target, kept, keyColumns, prefixLength, buckets),
    listedKeyMatchesQuery,
    duplicateKeyQuery,
    keyInBucketsCondition: (keyColumns, prefixLength, buckets, hash) => keyInBucketsCondition(hashing(hash), keyColumns, prefixLength, buckets),
    rowEstimateQuery: definition.rowEstimateQuery,
    refreshStatistics: definition.refreshStatistics,
    rowDigests: definition.rowHashing && rowDigestQueries(definition.keyHashing, definition.rowHashing, (type) => columnTypeFrom(typeMap, type)),
  };
}

/** Looks a logical type up in a TypeMap. */
function columnTypeFrom(typeMap: TypeMap, type: LogicalType): string {
  // TypeScript cannot correlate `type.kind` with the entry's parameter type; the TypeMap's
  // mapped type guarantees the entry for a kind accepts exactly that kind.
  const entry = typeMap[type.kind] as (type: LogicalType) => string;
  return entry(type);
}
