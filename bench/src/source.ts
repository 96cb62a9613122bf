import { join } from 'node:path';
import { loadIntoPostgres, tenantId } from '@ferry/sample-data';
import { POSTGRES_ADMIN_URL, REPO_ROOT, postgresEnv, runDbt, withDatabase } from '@ferry/test';
import pg from 'pg';

/** The vendor's warehouse the benchmark reads: sample data, the dbt project built on it. */
export interface BenchSource {
  readonly url: string;
  readonly tenants: readonly string[];
  /** Rows of analytics.messages, all tenants. */
  readonly rows: number;
}

/**
 * The source for this size: a Postgres database named after seed and size, built once (raw
 * sample data, then `dbt build` of the messages model) and reused by later runs, which saves
 * minutes per run at 5M rows. A build that did not finish leaves no marker and is redone.
 */
export async function prepareSource(
  size: { readonly tenants: number; readonly messagesPerTenant: number; readonly seed: number },
  log: (line: string) => void,
): Promise<BenchSource> {
  const name = `ferry_bench_src_${size.tenants}x${size.messagesPerTenant}_s${size.seed}`;
  const url = withDatabase(POSTGRES_ADMIN_URL, name);
  const tenants = Array.from({ length: size.tenants }, (_, i) => tenantId(i));
  const rows = await readyRows(url);
  if (rows !== undefined) {
    log(`source: reusing ${name} (${rows.toLocaleString('en')} messages)`);
    await indexForTenantReads(url);
    return { url, tenants, rows };
  }
  log(`source: building ${name}: sample data, then dbt build of messages`);
  await recreateDatabase(name);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await loadIntoPostgres(client, size);
    await runDbt(
      [
        'build',
        '--select',
        '+messages',
        '--exclude',
        'resource_type:test',
        '--target-path',
        join(REPO_ROOT, 'bench', 'work', 'target'),
        '--log-path',
        join(REPO_ROOT, 'bench', 'work', 'logs'),
      ],
      {
        projectDir: join(REPO_ROOT, 'dbt_project'),
        env: { ...postgresEnv(url), FERRY_DBT_SCHEMA: 'analytics' },
      },
    );
    await indexForTenantReads(url);
    const { rows: counted } = await client.query<{ n: string }>('SELECT count(*) AS n FROM analytics.messages');
    await client.query(`COMMENT ON DATABASE ${name} IS 'ferry bench source: ready'`);
    return { url, tenants, rows: Number(counted[0]?.n) };
  } finally {
    await client.end();
  }
}

/**
 * The indexes a vendor's warehouse needs for reads per tenant (docs/sync.md, "The source"): without
 * them every read of one tenant scans the whole table, for every tenant. Every contestant reads
 * through them. Added to sources built before they were, hence IF NOT EXISTS; VACUUM makes the
 * counts index-only.
 */
async function indexForTenantReads(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('CREATE INDEX IF NOT EXISTS messages_tenant_cursor ON analytics.messages (tenant_id, updated_at)');
    await client.query('CREATE INDEX IF NOT EXISTS messages_tenant_key ON analytics.messages (tenant_id, id)');
    await client.query('VACUUM ANALYZE analytics.messages');
  } finally {
    await client.end();
  }
}

async function readyRows(url: string): Promise<number | undefined> {
  const client = new pg.Client({ connectionString: url });
  try {
    await client.connect();
  } catch {
    return undefined;
  }
  try {
    const { rows } = await client.query<{ ready: boolean }>(
      `SELECT shobj_description(oid, 'pg_database') = 'ferry bench source: ready' AS ready FROM pg_database WHERE datname = current_database()`,
    );
    if (!rows[0]?.ready) return undefined;
    const { rows: counted } = await client.query<{ n: string }>('SELECT count(*) AS n FROM analytics.messages');
    return Number(counted[0]?.n);
  } finally {
    await client.end();
  }
}

/** Drops and creates a database of the benchmark's own, empty or as a copy of `template`. */
export async function recreateDatabase(name: string, template?: BenchSource): Promise<string> {
  const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${name}${template ? ` TEMPLATE ${new URL(template.url).pathname.slice(1)}` : ''}`);
  } finally {
    await admin.end();
  }
  return withDatabase(POSTGRES_ADMIN_URL, name);
}

/** A copy of the source that scenarios may change: the built source stays as it was for the next run. */
export async function workingCopy(source: BenchSource, name: string): Promise<BenchSource> {
  return { ...source, url: await recreateDatabase(name, source) };
}
