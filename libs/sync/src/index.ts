export * from './events.ts';
export * from './plan.ts';
export * from './schema-diff.ts';
export * from './sync-destination.ts';
export * from './sync-all.ts';
export { onCheckpoint, type SyncCheckpoint } from './checkpoint.ts';
export { compareCursors, laterCursor } from './cursor.ts';
export { editDistance, nearest } from './nearest.ts';
export { binaryLoadCasts } from './binary-load.ts';
export { bucketPrefixLength } from './key-comparison.ts';
export { checkSourceBeforeWriting, type SoftDeleteMode } from './sync-model.ts';
export { canonicalJson, type JsonNumbers } from './verify/canonical-json.ts';
export {
  DAILY_HOURS,
  verificationDue,
  verifyAll,
  verifyDestination,
  type DestinationVerification,
  type ModelVerificationOutcome,
  type VerifyOptions,
  type VerifyPolicy,
} from './verify/verify-destination.ts';
export type { ModelVerification } from './verify/verify-model.ts';
