import type { z } from 'zod';
import { duckdbSourceModule } from './duckdb/duckdb-module.ts';
import { postgresSourceModule } from './postgres/postgres-module.ts';
import type { SourceModule } from './source-module.ts';

/** Every kind of source Ferry reads from, by type: the one place that lists them. */
export const SOURCE_MODULES = { postgres: postgresSourceModule, duckdb: duckdbSourceModule } as const;

/** Every source type. */
export type SourceType = keyof typeof SOURCE_MODULES;

/** A module whose entry type is erased, for the runner, which passes a module only entries of its own type. */
// biome-ignore lint/suspicious/noExplicitAny: entries of every type pass through one signature; sourceModule checks the type.
export type AnySourceModule = SourceModule<SourceType, z.ZodRawShape, any>;

/**
 * The module for a type.
 * @throws Error naming the types there are
 */
export function sourceModule(type: string): AnySourceModule {
  if (!Object.hasOwn(SOURCE_MODULES, type)) {
    throw new Error(`unknown source type "${type}": expected one of ${Object.keys(SOURCE_MODULES).join(', ')}`);
  }
  return SOURCE_MODULES[type as SourceType] as AnySourceModule;
}
