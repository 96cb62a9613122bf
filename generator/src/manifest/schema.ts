import { z } from 'zod';

/**
 * The part of dbt's manifest (schema v12, dbt 1.8 and later) that Ferry reads. Objects are
 * loose: dbt adds fields between minor versions, and Ferry must not break on ones it ignores.
 * @see https://schemas.getdbt.com/dbt/manifest/v12.json
 */
const meta = z.record(z.string(), z.unknown());

const constraint = z.looseObject({
  type: z.string(),
  columns: z.array(z.string()).optional(),
});

const column = z.looseObject({
  name: z.string(),
  description: z.string().optional(),
  data_type: z.string().nullable().optional(),
  meta: meta.optional(),
  tags: z.array(z.string()).optional(),
  constraints: z.array(constraint).optional(),
  config: z.looseObject({ meta: meta.optional(), tags: z.array(z.string()).optional() }).optional(),
});

/**
 * A model's columns by name. Checked as a Map, not a z.record: a record is rebuilt by assignment,
 * and `result["__proto__"] = column` sets the object's prototype instead, so a column of that name
 * vanished. Object.fromEntries defines every name as a property of its own.
 */
const columns = z
  .preprocess(
    (value) => (value !== null && typeof value === 'object' && !Array.isArray(value) ? new Map(Object.entries(value)) : value),
    z.map(z.string(), column),
  )
  .transform((byName) => Object.fromEntries(byName) as Record<string, z.infer<typeof column>>);

const modelNode = z.looseObject({
  resource_type: z.literal('model'),
  unique_id: z.string(),
  name: z.string(),
  package_name: z.string(),
  database: z.string().nullable().optional(),
  schema: z.string(),
  alias: z.string().nullable().optional(),
  description: z.string().optional(),
  original_file_path: z.string().optional(),
  patch_path: z.string().nullable().optional(),
  meta: meta.optional(),
  config: z.looseObject({
    enabled: z.boolean().optional(),
    meta: meta.optional(),
    materialized: z.string().optional(),
    contract: z.looseObject({ enforced: z.boolean() }).optional(),
  }),
  columns,
  constraints: z.array(constraint).optional(),
});

/** The manifest's outline. Model nodes are then checked one by one with `modelNodeSchema`. */
export const manifestSchema = z.looseObject({
  metadata: z.looseObject({
    dbt_schema_version: z.string(),
    dbt_version: z.string().optional(),
    project_name: z.string().optional(),
    adapter_type: z.string().nullable().optional(),
  }),
  nodes: z.record(z.string(), z.looseObject({ resource_type: z.string() })),
});

export const modelNodeSchema = modelNode;

export type ModelNode = z.infer<typeof modelNode>;
export type ManifestColumn = z.infer<typeof column>;

/** A validated manifest: its outline, and every model node checked against the model schema. */
export interface Manifest {
  readonly metadata: z.infer<typeof manifestSchema>['metadata'];
  readonly models: readonly ModelNode[];
}
