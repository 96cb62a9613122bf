/**
 * Builds small dbt v12 manifests in memory for generator tests, shaped like what dbt 1.11 writes
 * (meta mirrored into config.meta, column config, constraints). The real, dbt-produced manifest is
 * covered by the integration tests in test/.
 */
export interface FixtureColumn {
  name: string;
  data_type?: string | null;
  tags?: string[];
  ferry?: Record<string, unknown>;
  constraints?: { type: string }[];
  description?: string;
}

export interface FixtureModel {
  name: string;
  ferry?: Record<string, unknown>;
  /** Where the ferry settings live: dbt >= 1.10 style config.meta (default) or legacy top-level meta. */
  metaIn?: 'config' | 'meta';
  contract?: boolean;
  columns: FixtureColumn[];
  constraints?: { type: string; columns?: string[] }[];
}

export function fixtureModel(model: FixtureModel): Record<string, unknown> {
  const meta = model.ferry ? { ferry: model.ferry } : {};
  return {
    resource_type: 'model',
    unique_id: `model.fixture.${model.name}`,
    name: model.name,
    package_name: 'fixture',
    database: 'warehouse',
    schema: 'analytics',
    alias: model.name,
    description: '',
    meta: model.metaIn === 'meta' ? meta : {},
    config: {
      enabled: true,
      materialized: 'table',
      meta: model.metaIn === 'meta' ? {} : meta,
      contract: { enforced: model.contract ?? true, alias_types: true },
    },
    constraints: model.constraints ?? [],
    columns: Object.fromEntries(
      model.columns.map((c) => [
        c.name,
        {
          name: c.name,
          description: c.description ?? '',
          data_type: c.data_type === undefined ? 'text' : c.data_type,
          meta: c.ferry ? { ferry: c.ferry } : {},
          tags: c.tags ?? [],
          constraints: c.constraints ?? [],
          config: { meta: c.ferry ? { ferry: c.ferry } : {}, tags: c.tags ?? [] },
        },
      ]),
    ),
  };
}

export function fixtureManifest(models: FixtureModel[], schemaVersion = 'v12'): Record<string, unknown> {
  return {
    metadata: {
      dbt_schema_version: `https://schemas.getdbt.com/dbt/manifest/${schemaVersion}.json`,
      dbt_version: '1.11.16',
      project_name: 'fixture',
      adapter_type: 'postgres',
    },
    nodes: {
      ...Object.fromEntries(models.map((m) => [`model.fixture.${m.name}`, fixtureModel(m)])),
      'test.fixture.not_null_x': { resource_type: 'test', name: 'not_null_x' },
    },
    sources: {},
    macros: {},
  };
}

/** A valid export model with a little of everything; tests mutate copies of it. */
export function ordersModel(): FixtureModel {
  return {
    name: 'orders',
    ferry: { export: true, tenant_column: 'tenant_id', primary_key: ['id'], cursor: 'updated_at', soft_delete: 'deleted_at' },
    columns: [
      { name: 'id', data_type: 'uuid', constraints: [{ type: 'not_null' }] },
      { name: 'tenant_id', data_type: 'text', constraints: [{ type: 'not_null' }] },
      { name: 'status', data_type: 'varchar(16)' },
      { name: 'amount', data_type: 'numeric(18,4)' },
      { name: 'attempts', data_type: 'integer' },
      { name: 'payload', data_type: 'jsonb' },
      { name: 'email', data_type: 'text', tags: ['pii'] },
      { name: 'phone', data_type: 'text', ferry: { pii: true } },
      { name: 'updated_at', data_type: 'timestamptz', constraints: [{ type: 'not_null' }] },
      { name: 'deleted_at', data_type: 'timestamp' },
    ],
  };
}
