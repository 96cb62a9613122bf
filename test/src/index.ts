export * from './harness/postgres.ts';
export * from './harness/dbt.ts';
export * from './harness/paths.ts';
export * from './harness/workdir.ts';
export * from './harness/transfer-csv.ts';
export * from './harness/slices.ts';
export * from './harness/crash.ts';
export * from './harness/cli.ts';
