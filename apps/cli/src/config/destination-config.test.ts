import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { destinationConfig } from './destination-config.ts';
import { loadConfig } from './load.ts';

const common = { tenant: 'tenant_001', models: ['messages'] };
const SECRET = 'sn0wflake-s3cret';

describe('ferry.yaml destinations of every type', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ferry-destination-config-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function load(destinations: unknown[]) {
    const file = join(dir, 'ferry.yaml');
    await writeFile(file, stringify({ source: { type: 'duckdb', path: 'source.duckdb' }, destinations }));
    return loadConfig(file, { SNOWFLAKE_PASSWORD: SECRET });
  }

  it('maps each entry to its destination config, snake case to the config fields, paths relative to ferry.yaml', async () => {
    const config = await load([
      { id: 'pg', type: 'postgres', url: 'postgres://u@h/db', ...common },
      { id: 'rs', type: 'redshift', url: 'postgres://u@cluster:5439/dev', schema: 'knock', ...common },
      { id: 'duck', type: 'duckdb', path: 'out.duckdb', ...common },
      {
        id: 'sf',
        type: 'snowflake',
        account: 'xy12345.eu-central-1',
        user: 'FERRY',
        password: '${SNOWFLAKE_PASSWORD}',
        database: 'ANALYTICS',
        warehouse: 'FERRY_WH',
        ...common,
      },
      { id: 'bq', type: 'bigquery', project: 'acme-data', dataset: 'knock', location: 'EU', key_file: 'keys/ferry.json', ...common },
    ]);
    expect(config.destinations.map((entry) => destinationConfig(entry))).toEqual([
      { type: 'postgres', id: 'pg', url: 'postgres://u@h/db', schema: 'ferry', connectTimeoutSeconds: 30 },
      { type: 'redshift', id: 'rs', url: 'postgres://u@cluster:5439/dev', schema: 'knock', connectTimeoutSeconds: 30 },
      { type: 'duckdb', id: 'duck', path: join(dir, 'out.duckdb'), schema: 'ferry' },
      {
        type: 'snowflake',
        id: 'sf',
        account: 'xy12345.eu-central-1',
        user: 'FERRY',
        password: SECRET,
        database: 'ANALYTICS',
        schema: 'ferry',
        warehouse: 'FERRY_WH',
      },
      { type: 'bigquery', id: 'bq', projectId: 'acme-data', dataset: 'knock', location: 'EU', keyFilename: join(dir, 'keys/ferry.json') },
    ]);
  });

  it('names each missing or misplaced field of a cloud warehouse, and never echoes the secret', async () => {
    const error = await load([
      { id: 'sf', type: 'snowflake', user: 'FERRY', password: '${SNOWFLAKE_PASSWORD}', database: 'ANALYTICS', ...common },
      { id: 'bq', type: 'bigquery', dataset: 'knock', schema: 'knock', ...common },
    ]).catch((e: unknown) => e as Error);
    expect(error).toBeInstanceOf(Error);
    const message = (error as Error).message;
    // A missing field is named with its destination's id, which is how ferry.yaml's reader finds it.
    expect(message).toContain('destination sf has no account: add `account: <value>`');
    expect(message).toContain('destination bq has no project: add `project: <value>`');
    expect(message).toMatch(/destinations\[1\]: unknown key "schema" \(allowed here: .*\bdataset\b/);
    expect(message).not.toContain(SECRET);
  });
});
