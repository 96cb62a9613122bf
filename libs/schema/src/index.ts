export * from './json-value.ts';
export * from './logical-types.ts';
export * from './export-model.ts';
export * from './fingerprint.ts';
export * from './transfer-format.ts';
