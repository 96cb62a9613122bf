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

/**
 * Where `${secret:name}` may be used (credential fields only), urls whose password pg would
 * misread, and the messages about both: they name the field and the fix, never a secret.
 */
const HOST_KEY = `SHA256:${'A'.repeat(43)}`;
/** The stored secret's value: must never appear in a tenant, schema, path or message. */
const STORED = 'acme-St0red-Secret-9f2c';
/** A password written into a url without percent-encoding: pg would read Pw as the host and SECRET:42@db/analytics as the database. */
const MISREAD = 'Url@Pw/SECRET:42';
const MISREAD_PIECES = [MISREAD, 'Url@', 'Pw', 'SECRET', ':42'];
const CREDENTIAL_FIELDS_LISTED =
  'secrets are allowed only in credential fields (url, password, passphrase, private_key of the source, a destination or its ssh section)';

let dir: string;
let state: StateStore;
const key = generateMasterKey();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ferry-secret-references-'));
  state = await openStateStore(':memory:');
  await state.migrate();
  const vault = openVault(state, { FERRY_MASTER_KEY: key });
  await vault.set('acme_pg', STORED);
  await vault.set('acme_url_pw', MISREAD);
});
afterAll(async () => {
  await state?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

type Entry = Record<string, unknown>;
const postgres = (fields: Entry = {}): Entry => ({
  id: 'acme',
  tenant: 'tenant_001',
  models: ['messages'],
  type: 'postgres',
  url: 'postgres://ferry@db/analytics',
  ...fields,
});

async function load(config: { destination?: Entry; source?: Entry; state?: Entry }, env: NodeJS.ProcessEnv = {}) {
  const file = join(dir, 'ferry.yaml');
  const { destination = postgres(), source = { type: 'duckdb', path: 'source.duckdb' } } = config;
  await writeFile(file, stringify({ source, ...(config.state ? { state: config.state } : {}), destinations: [destination] }));
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

function expectNoSecretIn(text: string, secrets: readonly string[]): void {
  for (const secret of secrets) expect(text, `"${secret}" in: ${text}`).not.toContain(secret);
}

describe('${secret:name} outside credential fields', () => {
  it.each([
    ['a tenant (it would be written into the state store)', { destination: postgres({ tenant: '${secret:acme_pg}' }) }, 'destinations[0].tenant'],
    ['a schema name', { destination: postgres({ schema: 'ferry_${secret:acme_pg}' }) }, 'destinations[0].schema'],
    ['a file name', { destination: { ...postgres(), type: 'duckdb', url: undefined, path: '${secret:acme_pg}.duckdb' } }, 'destinations[0].path'],
    ['a destination id', { destination: postgres({ id: '${secret:acme_pg}' }) }, 'destinations[0].id'],
    [
      "an ssh section's host",
      { destination: postgres({ ssh: { host: '${secret:acme_pg}', user: 'ferry', password: 'x', host_key: HOST_KEY } }) },
      'destinations[0].ssh.host',
    ],
    ["the source's path", { source: { type: 'duckdb', path: '${secret:acme_pg}' } }, 'source.path'],
  ])('is refused in %s, naming the field and the credential fields', async (_, config, field) => {
    const error = await configError(load(config));
    expect(error.problems).toEqual([
      `${field}: \${secret:acme_pg} cannot be used here: ${CREDENTIAL_FIELDS_LISTED}; write the value itself, or \${ENV_VAR}`,
    ]);
  });

  it("is refused in the state store's url, whose secrets are read from that store", async () => {
    const error = await configError(load({ state: { url: 'postgres://ferry:${secret:acme_pg}@db/state' } }));
    expect(error.problems).toEqual([
      'state.url: ${secret:acme_pg} cannot be used here: secrets are kept in the state store, so its url must work without them; write ${ENV_VAR}, or set FERRY_STATE_URL',
    ]);
  });

  it('is resolved in every credential field', async () => {
    const ssh = { host: 'bastion', user: 'ferry', private_key: '${secret:acme_pg}', passphrase: '${secret:acme_pg}', host_key: HOST_KEY };
    const config = await load({
      source: { type: 'postgres', url: 'postgres://ferry:${secret:acme_pg}@warehouse/analytics' },
      destination: postgres({ password: '${secret:acme_pg}', ssh }),
    });
    const resolved = await resolveSecretReferences(config, openVault(state, { FERRY_MASTER_KEY: key }));
    expect(resolved.source).toMatchObject({ url: `postgres://ferry:${STORED}@warehouse/analytics` });
    expect(resolved.destinations[0]).toMatchObject({ password: STORED, ssh: { private_key: STORED, passphrase: STORED } });
  });

  it('leaves ${ENV_VAR} references working in any field, as documented', async () => {
    const config = await load(
      { destination: postgres({ tenant: '${ACME_TENANT}', schema: '${ACME_SCHEMA}' }) },
      { ACME_TENANT: 'tenant_042', ACME_SCHEMA: 'acme' },
    );
    expect(config.destinations[0]).toMatchObject({ tenant: 'tenant_042', schema: 'acme' });
  });

  it('is not resolved when it reaches a tenant through an environment variable', async () => {
    const config = await load(
      { destination: postgres({ tenant: '${ACME_TENANT}', password: '${secret:acme_pg}' }) },
      { ACME_TENANT: '${secret:acme_pg}' },
    );
    const resolved = await resolveSecretReferences(config, openVault(state, { FERRY_MASTER_KEY: key }));
    expect(resolved.destinations[0]).toMatchObject({ tenant: '${secret:acme_pg}', password: STORED });
    expectNoSecretIn(JSON.stringify(resolved.destinations[0]?.tenant), [STORED]);
  });
});

describe('a url whose password has an unencoded @ and /', () => {
  const FIX = 'percent-encode @ as %40, / as %2F, ? as %3F and # as %23 in the password, or leave it out of the url and put it in `password`';

  it.each([
    ['written in ferry.yaml', { destination: postgres({ url: `postgres://ferry:${MISREAD}@db/analytics` }) }, {}],
    ['from an environment variable', { destination: postgres({ url: 'postgres://ferry:${ACME_PW}@db/analytics' }) }, { ACME_PW: MISREAD }],
    ['from a stored secret', { destination: postgres({ url: 'postgres://ferry:${secret:acme_url_pw}@db/analytics' }) }, {}],
  ])('is refused before Ferry connects with it, %s, with the encoding fix and no piece of the password', async (_, config, env) => {
    const error = await configError(resolveSecretReferences(await load(config, env), openVault(state, { FERRY_MASTER_KEY: key })));
    expect(error.problems).toEqual([
      `destinations[0].url: the password in the url has a /, ? or # that is not percent-encoded, so pg would read part of it as the host and the database: ${FIX}`,
    ]);
    expectNoSecretIn(error.message, MISREAD_PIECES);
    // And were it printed anyway, all of it is masked.
    expect(redactSecrets(`login failed: ${MISREAD}`)).toBe('login failed: ***');
  });

  it('is refused for the source too', async () => {
    const config = await load({ source: { type: 'postgres', url: `postgres://ferry:${MISREAD}@warehouse/analytics` } });
    const error = await configError(resolveSecretReferences(config, openVault(state, {})));
    expect(error.problems).toEqual([expect.stringMatching(/^source\.url: the password in the url has a \/, \? or # that is not percent-encoded/)]);
    expectNoSecretIn(error.message, MISREAD_PIECES);
  });

  it('works percent-encoded, its decoded password masked', async () => {
    const config = await load({ destination: postgres({ url: `postgres://ferry:${encodeURIComponent('Enc0ded@Pw/SECRET:77')}@db/analytics` }) });
    const resolved = await resolveSecretReferences(config, openVault(state, {}));
    expect(resolved.destinations[0]).toMatchObject({ url: 'postgres://ferry:Enc0ded%40Pw%2FSECRET%3A77@db/analytics' });
    expect(redactSecrets('auth failed for Enc0ded@Pw/SECRET:77')).toBe('auth failed for ***');
  });

  it('works with an @ alone (pg reads up to the last @ before the host), the whole password masked', async () => {
    const config = await load({ destination: postgres({ url: 'postgres://ferry:Only@AtSign-31@db/analytics' }) });
    await resolveSecretReferences(config, openVault(state, {}));
    expect(redactSecrets('auth failed for Only@AtSign-31')).toBe('auth failed for ***');
  });
});

describe('messages about a credential field come out whole', () => {
  it('an unset environment variable', async () => {
    const error = await configError(load({ destination: postgres({ password: '${ACME_PW}' }) }));
    expect(redactSecrets(error.message)).toContain(
      'destinations[0].password: environment variable ACME_PW is not set (export it, or put it in the environment of the job)',
    );
  });

  it.each([
    [
      'both master key variables set',
      { FERRY_MASTER_KEY: key, FERRY_MASTER_KEY_FILE: '/nonexistent/master.key' },
      'destinations[0].password: FERRY_MASTER_KEY and FERRY_MASTER_KEY_FILE are both set: set only one of them',
    ],
    [
      'a malformed master key',
      { FERRY_MASTER_KEY: 'not-a-key' },
      "destinations[0].password: FERRY_MASTER_KEY's key 1 is not 32 bytes of base64: generate one with `ferry keys generate`",
    ],
  ])('%s', async (_, env, message) => {
    const config = await load({ destination: postgres({ password: '${secret:acme_pg}' }) });
    const error = await configError(resolveSecretReferences(config, openVault(state, env)));
    expect(redactSecrets(error.message)).toContain(message);
    expectNoSecretIn(redactSecrets(error.message), [STORED, key]);
  });
});
