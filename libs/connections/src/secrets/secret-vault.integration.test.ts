import { DuckDBInstance } from '@duckdb/node-api';
import { openStateStore, type StateStore } from '@ferry/state';
import { SCRATCH_LOCATIONS, STATE_ENGINES, type ScratchLocation, type StateEngine } from '@ferry/test';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MasterKey, generateMasterKey } from './master-key.ts';
import { SecretError } from './secret-error.ts';
import { openVault, type RotationProgress } from './secret-vault.ts';

const KEY_A = generateMasterKey();
const KEY_B = generateMasterKey();
const ID_A = MasterKey.fromBase64(KEY_A)!.id;
const ID_B = MasterKey.fromBase64(KEY_B)!.id;
const keys = (...texts: string[]) => ({ FERRY_MASTER_KEY: texts.join(',') });

/** Values that must never show up in a message or a stored row. */
const ACME_PASSWORD = 'acme-Pässwörd-🔑-1f9c2e';
const GLOBEX_TOKEN = 'globex-token-77aa31d0';

async function failure(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SecretError);
  const { message, stack = '' } = error as SecretError;
  for (const secret of [KEY_A, KEY_B, ACME_PASSWORD, GLOBEX_TOKEN]) {
    expect(message).not.toContain(secret);
    expect(stack).not.toContain(secret);
  }
  return message;
}

/** Every row of the secrets table as the database holds it, read past the state store. */
async function rawSecretsTable(engine: StateEngine, location: string): Promise<string> {
  const sql = 'SELECT * FROM ferry_state.secrets ORDER BY name';
  if (engine === 'postgres') {
    const client = new pg.Client({ connectionString: location });
    await client.connect();
    try {
      return JSON.stringify((await client.query(sql)).rows);
    } finally {
      await client.end();
    }
  }
  const instance = await DuckDBInstance.create(location, { access_mode: 'READ_ONLY' });
  const connection = await instance.connect();
  try {
    return JSON.stringify((await connection.runAndReadAll(sql)).getRowObjectsJson());
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

describe.each(STATE_ENGINES)('secrets in a state store on %s', (engine) => {
  let scratch: ScratchLocation;
  let store: StateStore;

  beforeEach(async () => {
    scratch = await SCRATCH_LOCATIONS[engine]();
    store = await openStateStore(scratch.location);
    await store.migrate();
  });

  afterEach(async () => {
    await store.close();
    await scratch.dispose();
  });

  it('stores, reads, lists and deletes secrets, holding only ciphertext', async () => {
    const vault = openVault(store, keys(KEY_A));
    expect(await vault.set('acme_pg', ACME_PASSWORD)).toEqual({ keyId: ID_A });
    await vault.set('globex.bq-token', GLOBEX_TOKEN);
    await vault.set('acme_pg', `${ACME_PASSWORD}-v2`);

    expect(await vault.get('acme_pg')).toBe(`${ACME_PASSWORD}-v2`);
    expect(await vault.get('globex.bq-token')).toBe(GLOBEX_TOKEN);
    // Another process with the same key reads what this one stored.
    expect(await openVault(store, keys(KEY_A)).get('acme_pg')).toBe(`${ACME_PASSWORD}-v2`);
    const listed = await vault.list();
    expect(listed).toEqual([
      { name: 'acme_pg', keyId: ID_A, updatedAt: expect.any(Date) },
      { name: 'globex.bq-token', keyId: ID_A, updatedAt: expect.any(Date) },
    ]);

    await store.close();
    const raw = await rawSecretsTable(engine, scratch.location);
    expect(raw).toContain('acme_pg');
    for (const value of [ACME_PASSWORD, 'Pässwörd', GLOBEX_TOKEN, KEY_A]) expect(raw).not.toContain(value);
    store = await openStateStore(scratch.location);

    const reopened = openVault(store, keys(KEY_A));
    await reopened.delete('acme_pg');
    expect((await reopened.list()).map((s) => s.name)).toEqual(['globex.bq-token']);
    expect(await failure(reopened.delete('acme_pg'))).toBe(
      'no secret "acme_pg" in the state store: add it with `ferry secrets set acme_pg`; known: globex.bq-token',
    );
  });

  it('needs a master key only to read or store a secret, and then says which', async () => {
    await openVault(store, keys(KEY_A)).set('acme_pg', ACME_PASSWORD);
    const keyless = openVault(store, {});
    expect((await keyless.list()).map((s) => s.name)).toEqual(['acme_pg']);
    expect(await failure(keyless.get('acme_pg'))).toBe(
      `secret "acme_pg" is stored encrypted: set FERRY_MASTER_KEY (or FERRY_MASTER_KEY_FILE) to the key it was stored with (${ID_A})`,
    );
    expect(await failure(keyless.set('globex_pg', GLOBEX_TOKEN))).toMatch(
      /^cannot store secret "globex_pg" without a master key to encrypt it: set FERRY_MASTER_KEY .*`ferry keys generate`$/,
    );
    // A malformed key is reported when a key is first needed, not when the vault is opened.
    const malformed = openVault(store, { FERRY_MASTER_KEY: 'not-a-key' });
    expect(await malformed.list()).toHaveLength(1);
    expect(await failure(malformed.get('acme_pg'))).toMatch(/^FERRY_MASTER_KEY's key 1 is not 32 bytes of base64/);
  });

  it('refuses a secret under a key it was not given, naming both, never the key or the value', async () => {
    await openVault(store, keys(KEY_A)).set('acme_pg', ACME_PASSWORD);
    expect(await failure(openVault(store, keys(KEY_B)).get('acme_pg'))).toBe(
      `secret "acme_pg" is encrypted under key ${ID_A}, not among the keys given (${ID_B} in FERRY_MASTER_KEY): ` +
        'add that key to FERRY_MASTER_KEY after the primary, or set the secret again with `ferry secrets set acme_pg`',
    );
  });

  it('refuses a stored row that was tampered with or copied to another name', async () => {
    const vault = openVault(store, keys(KEY_A));
    await vault.set('acme_pg', ACME_PASSWORD);
    await vault.set('globex_pg', GLOBEX_TOKEN);
    const acme = (await store.getSecret('acme_pg'))!;
    const [format, iv, tag, ciphertext] = acme.sealed.split('.');
    const flipped = Buffer.from(Buffer.from(ciphertext!, 'base64url').map((byte, i) => (i === 0 ? byte ^ 0x20 : byte))).toString('base64url');
    await store.putSecret({ name: 'acme_pg', keyId: ID_A, sealed: [format, iv, tag, flipped].join('.') });
    expect(await failure(vault.get('acme_pg'))).toMatch(
      new RegExp(`^secret "acme_pg" fails authentication under key ${ID_A}, .*set it again with \`ferry secrets set acme_pg\`$`),
    );

    await store.putSecret({ name: 'globex_pg', keyId: ID_A, sealed: acme.sealed });
    expect(await failure(vault.get('globex_pg'))).toMatch(/^secret "globex_pg" fails authentication .*copied from another secret/);
  });

  it('names an unknown secret with the known ones, and refuses an invalid name', async () => {
    const vault = openVault(store, keys(KEY_A));
    expect(await failure(vault.get('acme_pg'))).toBe('no secret "acme_pg" in the state store: add it with `ferry secrets set acme_pg`');
    await vault.set('b_token', GLOBEX_TOKEN);
    await vault.set('a_password', ACME_PASSWORD);
    expect(await failure(vault.get('acme_pg'))).toMatch(/; known: a_password, b_token$/);
    for (const name of ['', '1password', 'acme pg', 'acme:pg', '${x}', 'x'.repeat(129)]) {
      expect(await failure(vault.set(name, 'v')), name).toMatch(
        /^invalid secret name .*: use up to 128 letters, digits, underscores, dots and dashes/,
      );
    }
    expect(await failure(vault.set('acme_pg', ''))).toBe('secret "acme_pg" would be empty: give it a value');
  });

  describe('rotation', () => {
    const NAMES = ['acme_pg', 'globex_pg', 'initech_snowflake'];
    const secretOf = (name: string) => `${name}-${ACME_PASSWORD}`;

    beforeEach(async () => {
      const underA = openVault(store, keys(KEY_A));
      for (const name of NAMES) await underA.set(name, secretOf(name));
    });

    it('re-seals every secret under the new primary: then the new key alone reads them, the old one alone does not', async () => {
      const progress: RotationProgress[] = [];
      const during = openVault(store, keys(KEY_B, KEY_A));
      // Runners holding both keys read everything before, during and after.
      expect(await during.get('acme_pg')).toBe(secretOf('acme_pg'));
      await during.set('new_after_deploy', GLOBEX_TOKEN);

      expect(await during.rotate((p) => void progress.push(p))).toEqual({ primaryKeyId: ID_B, rotated: 3, alreadyCurrent: 1 });
      expect(progress).toEqual([
        { name: 'acme_pg', outcome: 'rotated', fromKeyId: ID_A, done: 1, total: 4 },
        { name: 'globex_pg', outcome: 'rotated', fromKeyId: ID_A, done: 2, total: 4 },
        { name: 'initech_snowflake', outcome: 'rotated', fromKeyId: ID_A, done: 3, total: 4 },
        { name: 'new_after_deploy', outcome: 'already-current', fromKeyId: ID_B, done: 4, total: 4 },
      ]);
      expect((await during.list()).map((s) => s.keyId)).toEqual([ID_B, ID_B, ID_B, ID_B]);

      const onlyB = openVault(store, keys(KEY_B));
      for (const name of NAMES) expect(await onlyB.get(name)).toBe(secretOf(name));
      expect(await failure(openVault(store, keys(KEY_A)).get('globex_pg'))).toMatch(
        new RegExp(`^secret "globex_pg" is encrypted under key ${ID_B}, not among the keys given \\(${ID_A} in FERRY_MASTER_KEY\\)`),
      );
      // Running it again changes nothing.
      expect(await onlyB.rotate()).toEqual({ primaryKeyId: ID_B, rotated: 0, alreadyCurrent: 4 });

      await store.close();
      const raw = await rawSecretsTable(engine, scratch.location);
      for (const name of NAMES) expect(raw).not.toContain(secretOf(name));
      store = await openStateStore(scratch.location);
    });

    it('keeps a value set while the rotation runs, under either key, instead of the one it read', async () => {
      const rotating = openVault(store, keys(KEY_B, KEY_A));
      // A runner still on the old key alone, and one already on the new keyring, each set a
      // secret the rotation has listed but not yet re-sealed.
      const oldRunner = openVault(store, keys(KEY_A));
      const newRunner = openVault(store, keys(KEY_B, KEY_A));
      const outcomes = await collect(rotating, async ({ name }) => {
        if (name === 'acme_pg') await oldRunner.set('globex_pg', 'globex set meanwhile under A');
        if (name === 'globex_pg') await newRunner.set('initech_snowflake', 'initech set meanwhile under B');
      });

      expect(outcomes).toEqual({ acme_pg: 'rotated', globex_pg: 'rotated', initech_snowflake: 'already-current' });
      const onlyB = openVault(store, keys(KEY_B));
      expect(await onlyB.get('acme_pg')).toBe(secretOf('acme_pg'));
      expect(await onlyB.get('globex_pg')).toBe('globex set meanwhile under A');
      expect(await onlyB.get('initech_snowflake')).toBe('initech set meanwhile under B');
    });

    it('leaves a secret deleted during the rotation deleted', async () => {
      const rotating = openVault(store, keys(KEY_B, KEY_A));
      const outcomes = await collect(rotating, async ({ name }) => {
        if (name === 'acme_pg') await rotating.delete('globex_pg');
      });
      expect(outcomes).toEqual({ acme_pg: 'rotated', globex_pg: 'deleted', initech_snowflake: 'rotated' });
      expect((await rotating.list()).map((s) => s.name)).toEqual(['acme_pg', 'initech_snowflake']);
    });

    it('rotates what it can, and leaves unchanged a secret no key given opens, naming the key it needs', async () => {
      const keyC = generateMasterKey();
      const idC = MasterKey.fromBase64(keyC)!.id;
      await openVault(store, keys(keyC)).set('globex_pg', GLOBEX_TOKEN);
      const stranded = await store.getSecret('globex_pg');

      const progress: RotationProgress[] = [];
      const message = await failure(openVault(store, keys(KEY_B, KEY_A)).rotate((p) => void progress.push(p)));
      expect(message).toBe(
        `could not rotate 1 of 3 secret(s), left as they were (2 rotated, 0 already under ${ID_B}):\n` +
          `  - secret "globex_pg" is encrypted under key ${idC}, not among the keys given (${ID_B}, ${ID_A} in FERRY_MASTER_KEY): ` +
          'add that key to FERRY_MASTER_KEY after the primary, or set the secret again with `ferry secrets set globex_pg`',
      );
      expect(progress.map((p) => [p.name, p.outcome])).toEqual([
        ['acme_pg', 'rotated'],
        ['globex_pg', 'failed'],
        ['initech_snowflake', 'rotated'],
      ]);
      expect(await store.getSecret('globex_pg')).toEqual(stranded);
      expect(await failure(openVault(store, {}).rotate())).toMatch(
        /^cannot rotate without master keys: set FERRY_MASTER_KEY to the new key followed by the old ones/,
      );
    });
  });
});

/** Rotates, running `meanwhile` after each secret, and returns each secret's outcome. */
async function collect(
  vault: ReturnType<typeof openVault>,
  meanwhile: (progress: RotationProgress) => Promise<void>,
): Promise<Record<string, RotationProgress['outcome']>> {
  const outcomes: Record<string, RotationProgress['outcome']> = {};
  await vault.rotate(async (progress) => {
    outcomes[progress.name] = progress.outcome;
    await meanwhile(progress);
  });
  return outcomes;
}
