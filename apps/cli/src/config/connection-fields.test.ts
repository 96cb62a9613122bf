import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateMasterKey, openVault } from '@ferry/connections';
import { openStateStore, type StateStore } from '@ferry/state';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { ConfigError, loadConfig } from './load.ts';
import { resolveSecretReferences } from './secret-references.ts';
import { redactSecrets } from '../output/redact.ts';

/** ferry.yaml's connection fields: `ssh` blocks, `password`, `connect_timeout`, `${secret:name}` references. */
const HOST_KEY = `SHA256:${'A'.repeat(43)}`;
const ssh = { host: 'bastion.acme.example', user: 'ferry', private_key_file: 'keys/acme', host_key: HOST_KEY };
const common = { tenant: 'tenant_001', models: ['messages'] };

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ferry-connection-fields-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function load(destination: Record<string, unknown>, env: NodeJS.ProcessEnv = {}) {
  const file = join(dir, 'ferry.yaml');
  await writeFile(file, stringify({ source: { type: 'duckdb', path: 'source.duckdb' }, destinations: [{ id: 'acme', ...common, ...destination }] }));
  return loadConfig(file, env);
}

async function configError(work: Promise<unknown>): Promise<ConfigError> {
  const error = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConfigError);
  return error as ConfigError;
}

async function problems(destination: Record<string, unknown>): Promise<readonly string[]> {
  return (await configError(load(destination))).problems;
}

describe('an ssh block', () => {
  it('gets its defaults, and its key file is resolved against ferry.yaml', async () => {
    const config = await load({ type: 'postgres', url: 'postgres://ferry@db.internal/analytics', ssh });
    expect(config.destinations[0]).toMatchObject({
      connect_timeout: 30,
      ssh: { port: 22, keepalive_interval: 15, keepalive_count_max: 3, connect_timeout: 30, private_key_file: join(dir, 'keys/acme') },
    });
  });

  it.each([
    ['without a host key', { ...ssh, host_key: undefined }, /ssh\.host_key: required: the bastion's host key fingerprint/],
    [
      'with an MD5 fingerprint',
      { ...ssh, host_key: '16:27:ac:a5:76:28:2d:36:63:1b:56:4d:eb:df:a6:48' },
      /ssh\.host_key: the SHA256 fingerprint as `ssh-keygen -lf` prints it/,
    ],
    ['with two ways to log in', { ...ssh, password: 'x' }, /ssh: give exactly one way to log in.*\(got private_key_file, password\)/],
    ['with no way to log in', { ...ssh, private_key_file: undefined }, /ssh: give exactly one way to log in/],
    [
      'with a passphrase and a password',
      { ...ssh, private_key_file: undefined, password: 'x', passphrase: 'y' },
      /ssh\.passphrase: a passphrase unlocks a private key/,
    ],
    ['with a misspelt key', { ...ssh, hostkey: HOST_KEY }, /ssh: unknown key "hostkey": did you mean "host_key"\?/],
    ['with a timeout of 0', { ...ssh, connect_timeout: 0 }, /ssh\.connect_timeout: connect_timeout: at least 1 \(seconds\)/],
  ])('%s is refused, naming the field and the fix', async (_, block, expected) => {
    const listed = await problems({ type: 'postgres', url: 'postgres://ferry@db.internal/analytics', ssh: block });
    expect(
      listed.some((p) => expected.test(p)),
      listed.join('\n'),
    ).toBe(true);
  });

  it('on a warehouse reached over HTTPS is refused with the reason', async () => {
    const listed = await problems({ type: 'snowflake', account: 'xy12345', user: 'FERRY', password: 'x', database: 'DB', ssh });
    expect(listed.join('\n')).toMatch(/ssh tunnels are for postgres and redshift connections/);
  });
});

describe('passwords and references', () => {
  it('a password in the url and in `password` is refused: one would silently lose', async () => {
    const listed = await problems({ type: 'postgres', url: 'postgres://ferry:one@db/analytics', password: 'two' });
    expect(listed).toEqual(['destinations[0].password: the url has a password and `password` is set too: keep one']);
  });

  it('a reference Ferry does not know is reported, not used as a password', async () => {
    const listed = await problems({ type: 'postgres', url: 'postgres://ferry@db/analytics', password: '${secrets:acme}' });
    expect(listed).toEqual(['destinations[0].password: "${secrets:acme}" is not a reference Ferry knows: write ${ENV_VAR} or ${secret:name}']);
  });
});

describe('${secret:name} references', () => {
  let state: StateStore;
  const key = generateMasterKey();
  beforeAll(async () => {
    state = await openStateStore(':memory:');
    await state.migrate();
    await openVault(state, { FERRY_MASTER_KEY: key }).set('acme_pg', 'pg-s3cret-value');
  });
  afterAll(async () => {
    await state.close();
  });

  it('are replaced by the stored value, which is masked from then on', async () => {
    const config = await load({ type: 'postgres', url: 'postgres://ferry@db/analytics', password: '${secret:acme_pg}' });
    expect(config.destinations[0]).toMatchObject({ password: '${secret:acme_pg}' });
    const resolved = await resolveSecretReferences(config, openVault(state, { FERRY_MASTER_KEY: key }));
    expect(resolved.destinations[0]).toMatchObject({ password: 'pg-s3cret-value' });
    expect(redactSecrets('auth failed for pg-s3cret-value')).toBe('auth failed for ***');
  });

  it('to an unknown secret, or without the master key, fail naming the field and the fix', async () => {
    const config = await load({
      type: 'postgres',
      url: 'postgres://ferry@db/analytics',
      password: '${secret:acme_pg}',
      ssh: { ...ssh, private_key_file: undefined, private_key: '${secret:acme_ssh}' },
    });
    const unknown = await configError(resolveSecretReferences(config, openVault(state, { FERRY_MASTER_KEY: key })));
    expect(unknown.problems).toEqual([
      expect.stringMatching(
        /^destinations\[0\]\.ssh\.private_key: no secret "acme_ssh" in the state store: add it with `ferry secrets set acme_ssh`/,
      ),
    ]);
    const keyless = await configError(resolveSecretReferences(config, openVault(state, {})));
    expect(keyless.problems[0]).toMatch(/^destinations\[0\]\.password: .*FERRY_MASTER_KEY/);
  });
});
