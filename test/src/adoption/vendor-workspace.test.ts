import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { execa, type Options } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { Catalog } from '@ferry/dialects';
import { PostgresSource } from '@ferry/sources';
import { DBT_BIN } from '../harness/dbt.ts';
import { REPO_ROOT } from '../harness/paths.ts';
import { createTempDatabase, type TempDatabase } from '../harness/postgres.ts';
import { readDestinationTable, readSlice, type DestinationLocation } from '../harness/slices.ts';

/**
 * A vendor adopting Ferry on its own dbt project, as the README tells it: Ferry's packages packed
 * with `npm pack` and installed in a workspace outside this repository, `ferry init` around a dbt
 * project unlike the example (a shop: stores, orders and order lines; composite key, no soft
 * deletes, tenant column `store_code`), `dbt parse`, `ferry generate`, the workspace's own
 * typecheck, `ferry plan` and `ferry sync` into Postgres and DuckDB, every table compared with its
 * tenant's slice; then a model change (a new column), regenerated and synced, and its backfill.
 * Nothing here reads Ferry's source tree: the CLI is the packed one.
 */

const PACKAGES = [
  'libs/schema',
  'libs/dialects',
  'libs/sources',
  'libs/destinations',
  'libs/state',
  'libs/connections',
  'libs/sync',
  'generator',
  'apps/cli',
];

const DBT_PROJECT_YML = `name: shop
version: '1.0.0'
profile: shop
model-paths: [models]
seed-paths: [seeds]
`;

/** The vendor's own profile, with a target named after its warehouse (no `duckdb`, no `default`). */
const PROFILES_YML = `shop:
  target: warehouse
  outputs:
    warehouse:
      type: postgres
      host: "{{ env_var('SHOP_PG_HOST') }}"
      port: "{{ env_var('SHOP_PG_PORT') | as_number }}"
      user: "{{ env_var('SHOP_PG_USER') }}"
      password: ""
      dbname: "{{ env_var('SHOP_PG_DATABASE') }}"
      schema: shop
      threads: 2
`;

const SEED_ORDERS = [
  'store_code,order_no,customer,total,ordered_at,changed_at',
  ...Array.from({ length: 40 }, (_, i) => {
    const store = ['north', 'south', 'east'][i % 3];
    return `${store},${1000 + i},customer ${i % 7},${(i * 13.37).toFixed(2)},2026-11-${String(1 + (i % 28)).padStart(2, '0')} 10:${String(i % 60).padStart(2, '0')}:00,2026-11-30 12:00:00`;
  }),
].join('\n');

const SEED_LINES = [
  'store_code,order_no,line_no,sku,quantity',
  ...Array.from({ length: 40 }, (_, i) =>
    [1, 2].map((line) => `${['north', 'south', 'east'][i % 3]},${1000 + i},${line},SKU-${(i * line) % 11},${line + (i % 4)}`),
  ).flat(),
].join('\n');

/** A dbt package of the vendor's, installed by `dbt deps` (which `ferry manifest update` runs first). */
const PACKAGE_FILES = {
  'dbt_project.yml': "name: shop_macros\nversion: '1.0.0'\nconfig-version: 2\nmacro-paths: [macros]\n",
  'macros/money.sql': '{% macro money(column) %}cast({{ column }} as numeric(12,2)){% endmacro %}\n',
};

function ordersSql(withChannel: boolean): string {
  return `select
  cast(store_code as varchar(32)) as store_code,
  cast(order_no as bigint) as order_no,
  cast(customer as text) as customer,
  {{ shop_macros.money('total') }} as total,
  cast(ordered_at as timestamp) as ordered_at,${withChannel ? "\n  cast(case when order_no % 2 = 0 then 'web' else 'shop' end as varchar(8)) as channel," : ''}
  cast(changed_at as timestamp) as changed_at
from {{ ref('raw_orders') }}
`;
}

function ordersYml(withChannel: boolean): string {
  return `models:
  - name: shop_orders
    description: One row per order, per store.
    config:
      materialized: table
      contract: { enforced: true }
      meta:
        ferry:
          export: true
          tenant_column: store_code
          primary_key: [store_code, order_no]
          cursor: changed_at
    columns:
      - { name: store_code, data_type: varchar(32), constraints: [{ type: not_null }] }
      - { name: order_no, data_type: bigint, constraints: [{ type: not_null }] }
      - { name: customer, data_type: text }
      - { name: total, data_type: 'numeric(12,2)' }
      - { name: ordered_at, data_type: timestamp }${withChannel ? '\n      - { name: channel, data_type: varchar(8) }' : ''}
      - { name: changed_at, data_type: timestamp, constraints: [{ type: not_null }] }
`;
}

const LINES_SQL = `select
  cast(store_code as varchar(32)) as store_code,
  cast(order_no as bigint) as order_no,
  cast(line_no as integer) as line_no,
  cast(sku as text) as sku,
  cast(quantity as integer) as quantity
from {{ ref('raw_order_lines') }}
`;

/** A model without a cursor or soft deletes: synced by full comparison every time. */
const LINES_YML = `models:
  - name: shop_order_lines
    config:
      materialized: table
      contract: { enforced: true }
      meta:
        ferry:
          export: true
          tenant_column: store_code
          primary_key: [store_code, order_no, line_no]
    columns:
      - { name: store_code, data_type: varchar(32), constraints: [{ type: not_null }] }
      - { name: order_no, data_type: bigint, constraints: [{ type: not_null }] }
      - { name: line_no, data_type: integer, constraints: [{ type: not_null }] }
      - { name: sku, data_type: text }
      - { name: quantity, data_type: integer }
`;

let root: string;
let tarballs: string[];
let workspace: string;
let source: TempDatabase;
let destination: TempDatabase;
let env: Record<string, string>;

/** Runs a command in the vendor's workspace, failing with its output. */
async function inWorkspace(file: string, args: readonly string[], options: Options = {}) {
  const result = await execa(file, args, { cwd: workspace, env, reject: false, all: true, ...options });
  if (result.exitCode !== 0) throw new Error(`${file} ${args.join(' ')} exited ${result.exitCode}:\n${String(result.all)}`);
  return String(result.all);
}

const ferry = (...args: string[]) => inWorkspace('npx', ['--no-install', 'ferry', ...args]);
const dbt = (...args: string[]) => inWorkspace(DBT_BIN, args, { cwd: join(workspace, 'shop_dbt') });

beforeAll(async () => {
  if (!existsSync(join(REPO_ROOT, 'apps', 'cli', 'dist', 'main.js'))) {
    throw new Error('Ferry is not built: run `npm run build` (npm test does it) before packing it');
  }
  root = await mkdtemp(join(tmpdir(), 'ferry-vendor-'));
  const packs = join(root, 'packs');
  await mkdir(packs);
  await execa('npm', ['pack', '--silent', '--pack-destination', packs, ...PACKAGES.flatMap((p) => ['--workspace', p])], { cwd: REPO_ROOT });
  tarballs = (await readdir(packs)).map((name) => join(packs, name));

  workspace = join(root, 'shop-analytics');
  await mkdir(join(workspace, 'shop_dbt', 'models'), { recursive: true });
  await mkdir(join(workspace, 'shop_dbt', 'seeds'), { recursive: true });
  await writeFile(join(workspace, 'shop_dbt', 'dbt_project.yml'), DBT_PROJECT_YML);
  await writeFile(join(workspace, 'shop_dbt', 'packages.yml'), 'packages:\n  - local: ../shop_macros\n');
  for (const [file, content] of Object.entries(PACKAGE_FILES)) {
    await mkdir(join(workspace, 'shop_macros', file, '..'), { recursive: true });
    await writeFile(join(workspace, 'shop_macros', file), content);
  }
  await writeFile(join(workspace, 'shop_dbt', 'profiles.yml'), PROFILES_YML);
  await writeFile(join(workspace, 'shop_dbt', 'seeds', 'raw_orders.csv'), `${SEED_ORDERS}\n`);
  await writeFile(join(workspace, 'shop_dbt', 'seeds', 'raw_order_lines.csv'), `${SEED_LINES}\n`);
  await writeFile(join(workspace, 'shop_dbt', 'models', 'shop_orders.sql'), ordersSql(false));
  await writeFile(join(workspace, 'shop_dbt', 'models', 'shop_orders.yml'), ordersYml(false));
  await writeFile(join(workspace, 'shop_dbt', 'models', 'shop_order_lines.sql'), LINES_SQL);
  await writeFile(join(workspace, 'shop_dbt', 'models', 'shop_order_lines.yml'), LINES_YML);
  // The vendor's own README: init must leave it alone.
  await writeFile(join(workspace, 'README.md'), '# Shop analytics\n');

  source = await createTempDatabase('ferry_vendor_src');
  destination = await createTempDatabase('ferry_vendor_dst');
  const url = new URL(source.url);
  env = {
    ...(process.env as Record<string, string>),
    SHOP_PG_HOST: url.hostname,
    SHOP_PG_PORT: url.port || '5432',
    SHOP_PG_USER: decodeURIComponent(url.username),
    SHOP_PG_DATABASE: source.name,
    DBT_SEND_ANONYMOUS_USAGE_STATS: 'false',
    FERRY_STATE_URL: '',
    npm_config_audit: 'false',
    npm_config_fund: 'false',
  };
}, 600_000);

afterAll(async () => {
  await source?.drop();
  await destination?.drop();
  if (root) await rm(root, { recursive: true, force: true });
});

/**
 * The vendor's generated catalog, imported the way the runtime imports it, in a fresh process:
 * this one's module cache still holds the catalog as it was before the model changed.
 */
async function vendorCatalog(): Promise<Catalog> {
  const url = pathToFileURL(join(workspace, 'libs', 'generated', 'src', 'index.js')).href;
  const script = `import(${JSON.stringify(url)}).then((m) => process.stdout.write(JSON.stringify(m.catalog)))`;
  return JSON.parse((await execa('node', ['--input-type=module', '-e', script])).stdout) as Catalog;
}

async function expectEveryTableEqualsItsSlice(catalog: Catalog): Promise<void> {
  const reader = new PostgresSource({ url: source.url });
  await reader.connect();
  try {
    const locations: [string, DestinationLocation, 'postgres' | 'duckdb'][] = [
      ['north', { type: 'postgres', url: destination.url }, 'postgres'],
      ['south', { type: 'duckdb', path: join(workspace, 'south.duckdb') }, 'duckdb'],
    ];
    for (const [tenant, location, dialect] of locations) {
      for (const [model, spec] of Object.entries(catalog.exportModels)) {
        const expected = await readSlice(reader, spec, tenant);
        expect(expected.length, `${model} has rows for ${tenant}`).toBeGreaterThan(0);
        const actual = await readDestinationTable(location, 'shop_export', spec, catalog.modelSql[dialect][model]!, tenant);
        expect(actual, `${model} for ${tenant} in ${dialect}`).toEqual(expected);
      }
    }
  } finally {
    await reader.close();
  }
}

describe('a vendor adopts Ferry on its own dbt project', () => {
  it('init, install, parse, generate, typecheck, plan, sync, change a model, sync again', async () => {
    // A bootstrap CLI from the packed tarball, to run `ferry init` before the workspace has one.
    const bootstrap = join(root, 'bootstrap');
    await mkdir(bootstrap);
    await execa('npm', ['init', '-y'], { cwd: bootstrap });
    await execa('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', ...tarballs], { cwd: bootstrap });
    const init = await inWorkspace(join(bootstrap, 'node_modules', '.bin', 'ferry'), ['init', '.', '--dbt-project', 'shop_dbt']);
    expect(init).toContain('ferry.yaml');
    expect(await readFile(join(workspace, 'README.md'), 'utf8')).toBe('# Shop analytics\n');

    // The workspace depends on Ferry by version; here the packed tarballs stand in for the registry.
    const manifest = JSON.parse(await readFile(join(workspace, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    expect(manifest.dependencies['@ferry/cli']).toMatch(/^\d+\.\d+\.\d+$/);
    await inWorkspace('npm', ['install', '--prefer-offline', ...tarballs]);
    expect(await ferry('--version')).toBe(manifest.dependencies['@ferry/cli']);

    // A dbt failure names the step and the command; the vendor's profile is found as dbt finds it.
    const broken = await execa('npx', ['--no-install', 'ferry', 'manifest', 'update', '--dbt', DBT_BIN, '--profiles-dir', join(root, 'nowhere')], {
      cwd: workspace,
      env,
      reject: false,
      all: true,
    });
    expect(broken.exitCode).toBe(1);
    expect(broken.all).toContain('dbt parse failed');
    expect(broken.all).toContain(`--profiles-dir ${join(root, 'nowhere')}`);
    await ferry('manifest', 'update', '--dbt', DBT_BIN);
    const generated = await ferry('generate');
    expect(generated).toContain('Generated 2 export models');
    await inWorkspace('npx', ['--no-install', 'tsc', '-p', 'libs/generated/tsconfig.json']);
    await ferry('generate', '--check');

    await dbt('seed');
    await dbt('run');
    const projectSection = (await readFile(join(workspace, 'ferry.yaml'), 'utf8')).split('\n# Where dbt builds')[0];
    await writeFile(
      join(workspace, 'ferry.yaml'),
      `${projectSection}\n${stringify({
        source: { type: 'postgres', url: source.url },
        state: { path: '.ferry/state.duckdb' },
        products: { orders: ['shop_orders', 'shop_order_lines'] },
        destinations: [
          { id: 'north-pg', tenant: 'north', product: 'orders', type: 'postgres', url: destination.url, schema: 'shop_export' },
          { id: 'south-duck', tenant: 'south', product: 'orders', type: 'duckdb', path: 'south.duckdb', schema: 'shop_export' },
        ],
      })}`,
    );
    const plan = await ferry('plan');
    expect(plan).toMatch(/north-pg\s+shop_orders\s+create/);
    expect(plan).toMatch(/south-duck\s+shop_order_lines\s+create/);
    expect(await ferry('sync')).toContain('2 of 2 destination(s) synced.');
    await expectEveryTableEqualsItsSlice(await vendorCatalog());

    // The analytics engineer adds a column; CI would refuse the stale catalog until regenerated.
    await writeFile(join(workspace, 'shop_dbt', 'models', 'shop_orders.sql'), ordersSql(true));
    await writeFile(join(workspace, 'shop_dbt', 'models', 'shop_orders.yml'), ordersYml(true));
    const stale = await execa('npx', ['--no-install', 'ferry', 'plan'], { cwd: workspace, env, reject: false, all: true });
    expect(stale.exitCode).toBe(1);
    expect(stale.all).toContain('is stale');
    expect(stale.all).toContain('ferry manifest update && npx ferry generate');
    await ferry('manifest', 'update', '--dbt', DBT_BIN);
    const notRegenerated = await execa('npx', ['--no-install', 'ferry', 'sync'], { cwd: workspace, env, reject: false, all: true });
    expect(notRegenerated.exitCode).toBe(1);
    expect(notRegenerated.all).toContain('libs/generated is stale: it was generated from another version of libs/generated/manifest.json');
    await ferry('generate');
    await dbt('run');
    expect(await ferry('sync')).toContain('2 of 2 destination(s) synced.');
    const catalog = await vendorCatalog();
    expect(catalog.exportModels.shop_orders?.columns.map((c) => c.name)).toContain('channel');
    await expectEveryTableEqualsItsSlice(catalog);
    const backfilled = await destination.client.query(`SELECT count(*)::int AS n FROM shop_export.shop_orders WHERE channel IS NULL`);
    expect(backfilled.rows[0].n).toBe(0);
  }, 900_000);

  it('a second init overwrites nothing and says what it skipped', async () => {
    const ferryYaml = await readFile(join(workspace, 'ferry.yaml'), 'utf8');
    const output = await ferry('init', '.', '--dbt-project', 'shop_dbt');
    expect(output).toContain('Skipped (never overwritten)');
    expect(output).toMatch(/ferry\.yaml: exists, left as it is/);
    expect(output).not.toContain('Wrote in');
    expect(await readFile(join(workspace, 'ferry.yaml'), 'utf8')).toBe(ferryYaml);
  });
});
