import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { ConfigError, didYouMean, loadConfig } from './load.ts';
import { postgresUrlProblem } from '@ferry/connections';
import { MAX_LOOKBACK_SECONDS } from './schema.ts';

/** ferry.yaml's limits and checks that need no catalog: sync.lookback, URLs, did-you-mean. */
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ferry-load-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function loadWith(extra: Record<string, unknown>) {
  const file = join(dir, 'ferry.yaml');
  const destination = { id: 'acme', tenant: 'tenant_001', models: ['messages'], type: 'duckdb', path: 'acme.duckdb' };
  await writeFile(file, stringify({ source: { type: 'duckdb', path: 'source.duckdb' }, destinations: [destination], ...extra }));
  return loadConfig(file, {});
}

async function problemsOf(extra: Record<string, unknown>): Promise<readonly string[]> {
  const error = await loadWith(extra).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConfigError);
  return (error as ConfigError).problems;
}

const LOOKBACK_PROBLEM = 'sync.lookback: use seconds, or a number with s, m or h (e.g. 5m), at most 30 days (720h, 2592000 seconds)';

describe('sync.lookback', () => {
  it.each([
    ['720h', MAX_LOOKBACK_SECONDS],
    ['43200m', MAX_LOOKBACK_SECONDS],
    [MAX_LOOKBACK_SECONDS, MAX_LOOKBACK_SECONDS],
    ['5m', 300],
    [0, 0],
  ])('%s is %d seconds: up to 30 days is taken', async (lookback, seconds) => {
    expect((await loadWith({ sync: { lookback } })).sync.lookback).toBe(seconds);
  });

  // The first sync of such a config worked and every later one failed: the window reached before any date a warehouse holds.
  // biome-ignore lint/correctness/noPrecisionLoss: a number past 2^53, as YAML reads one, is the case under test
  it.each(['721h', MAX_LOOKBACK_SECONDS + 1, '99999999999h', '9007199254740993', 9007199254740993, '1e3', -1])(
    '%s is refused, once, saying the limit',
    async (lookback) => {
      expect(await problemsOf({ sync: { lookback } })).toEqual([LOOKBACK_PROBLEM]);
    },
  );
});

describe('postgresUrlProblem', () => {
  it.each([
    'postgres://ferry@db.acme.internal:5432/analytics?sslmode=require',
    'postgresql://ferry:pa%25ss@db:5432/analytics',
    'postgres://ferry:${secret:acme_pg}@db/analytics',
    'postgres://ferry:s3cret@/analytics',
    'postgres:///analytics',
    'postgres://ferry@[::1]:5432/analytics',
    'postgres://ferry@db:65535/analytics',
  ])('takes %s', (url) => {
    expect(postgresUrlProblem(url)).toBeUndefined();
  });

  it.each([
    ['postgres://ferry:s3cret@db:99999/analytics', 'not a valid postgres URL (port 99999 is out of range: use 1 to 65535)'],
    ['postgres://ferry:s3cret@db:0/analytics', 'not a valid postgres URL (port 0 is out of range: use 1 to 65535)'],
    ['postgres://ferry:s3cret@db:54x/analytics', 'not a valid postgres URL (the port is not a number)'],
    [
      'postgres://ferry:s3c%ret@db/analytics',
      'not a valid postgres URL (a % in the password not followed by two hex digits: write a literal % as %25, or put the password in `password`)',
    ],
    ['postgres://fer%ry@db/analytics', 'not a valid postgres URL (a % in the user name not followed by two hex digits: write a literal % as %25)'],
    ['postgres://ferry@db/ana%lytics', 'not a valid postgres URL (a % in the database not followed by two hex digits: write a literal % as %25)'],
    [
      'postgres://ferry:s3c/ret@db/analytics',
      'not a valid postgres URL (a / ? or # in the user name or password: write them as %2F, %3F and %23, or put the password in `password`)',
    ],
    ['postgres://ferry@[::1/analytics', 'not a valid postgres URL (check the host: expected postgres://user@host:5432/database)'],
  ])('refuses %s, never quoting the password', (url, problem) => {
    expect(postgresUrlProblem(url)).toBe(problem);
    expect(problem).not.toMatch(/s3c/);
  });
});

describe('didYouMean', () => {
  it('suggests what is within two edits, fewer for short words, ignoring case', () => {
    expect(didYouMean(['postgres', 'duckdb', 'snowflake'], 'snowflak')).toBe('snowflake');
    expect(didYouMean(['postgres', 'duckdb'], 'Postgress')).toBe('postgres');
    expect(didYouMean(['postgres', 'duckdb'], 'mysql')).toBeUndefined();
    expect(didYouMean(['id', 'url'], 'pg')).toBeUndefined();
  });
});
