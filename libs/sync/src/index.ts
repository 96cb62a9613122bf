export * from './events.ts';
export * from './plan.ts';
export * from './schema-diff.ts';
export * from './sync-destination.ts';
export * from './sync-all.ts';
export { compareCursors, laterCursor } from './cursor.ts';
export { editDistance, nearest } from './nearest.ts';
export { bucketPrefixLength } from './key-comparison.ts';
export { checkSourceBeforeWriting, type SoftDeleteMode } from './sync-model.ts';
