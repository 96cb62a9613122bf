import { z } from 'zod';
import type { ManifestColumn, ModelNode } from '../manifest/schema.ts';

/**
 * Ferry's settings on a dbt model, under `meta.ferry` or `config.meta.ferry`. Unknown keys are
 * errors, so a typo such as `tenant_col` fails loudly instead of being ignored.
 */
export const modelSettingsSchema = z.strictObject({
  export: z.boolean().optional(),
  tenant_column: z.string().min(1).optional(),
  primary_key: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).optional(),
  cursor: z.string().min(1).optional(),
  null_cursor: z.enum(['always_read', 'refuse']).optional(),
  soft_delete: z.string().min(1).optional(),
  destination_name: z.string().min(1).optional(),
});
export type ModelSettings = z.infer<typeof modelSettingsSchema>;

/** Ferry's settings on one column of an export model. */
export const columnSettingsSchema = z.strictObject({
  pii: z.boolean().optional(),
  destination_name: z.string().min(1).optional(),
});
export type ColumnSettings = z.infer<typeof columnSettingsSchema>;

/**
 * The raw `ferry` settings of a model: `meta.ferry` overlaid by `config.meta.ferry`
 * (config wins, as in dbt itself; dbt 1.10 moved meta into config).
 */
export function rawModelSettings(node: ModelNode): unknown {
  return overlay(node.meta?.ferry, node.config.meta?.ferry);
}

export function rawColumnSettings(column: ManifestColumn): unknown {
  return overlay(column.meta?.ferry, column.config?.meta?.ferry);
}

/** True when a column is tagged `pii` (column tags or config.tags) or has `ferry.pii: true`. */
export function isTaggedPii(column: ManifestColumn): boolean {
  const tags = [...(column.tags ?? []), ...(column.config?.tags ?? [])];
  return tags.some((tag) => tag.toLowerCase() === 'pii');
}

function overlay(base: unknown, over: unknown): unknown {
  if (isObject(base) && isObject(over)) return { ...base, ...over };
  return over ?? base;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
