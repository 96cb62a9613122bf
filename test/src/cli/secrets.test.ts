import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openVault } from '@ferry/connections';
import { openStateStore } from '@ferry/state';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXAMPLE_PROJECT, createTempDatabase, runFerry, snapshotTree, type TempDatabase } from '../index.ts';

/**
 * Credentials through the real CLI: keys generated, a secret stored from stdin, listed, the keys
 * rotated, the old key refused, with the state store in Postgres (FERRY_STATE_URL). No output,
 * stored row or file ever holds the secret's value or a master key.
 */
const VALUE = 'acme-Pässwörd-🔑-c0ffee42';

let dir: string;
let database: TempDatabase;
/** Everything the commands printed, and every master key given to them: the last test checks for leaks. */
const printed: string[] = [];
const keysGiven = new Set<string>();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ferry-cli-secrets-'));
  database = await createTempDatabase('ferry_cli_secrets');
  // Nothing here is reached: the secrets commands need only the state store, so the secret can be
  // stored before the ferry.yaml that references it is usable.
  const config = {
    project: EXAMPLE_PROJECT,
    source: { type: 'duckdb', path: 'warehouse.duckdb' },
    destinations: [
      {
        id: 'acme-pg',
        tenant: 'tenant_001',
        models: ['messages'],
        type: 'postgres',
        url: 'postgres://ferry:${secret:acme_pg}@db.acme.example/analytics',
      },
    ],
  };
  await writeFile(join(dir, 'ferry.yaml'), stringify(config));
});

afterAll(async () => {
  await database?.drop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** `ferry <args> -c ferry.yaml` with these master keys (FERRY_MASTER_KEY, or a key file) and, for `secrets set`, stdin. */
async function ferry(args: string[], options: { keys?: string[]; keyFile?: string; input?: string } = {}) {
  for (const key of options.keys ?? []) keysGiven.add(key);
  const run = await runFerry([...args, '-c', 'ferry.yaml'], {
    cwd: dir,
    env: { FERRY_STATE_URL: database.url, FERRY_MASTER_KEY: (options.keys ?? []).join(','), FERRY_MASTER_KEY_FILE: options.keyFile ?? '' },
    ...(options.input === undefined ? {} : { input: options.input }),
  });
  printed.push(run.stdout, run.stderr);
  expect(run.stderr).not.toMatch(/^\s+at /m);
  return run;
}

async function generateKey(): Promise<string> {
  const run = await runFerry(['keys', 'generate']);
  expect(run.exitCode, run.stderr).toBe(0);
  expect(run.stderr).toBe('');
  // Printing the key is this command's job: it stays out of `printed`.
  keysGiven.add(run.stdout);
  return run.stdout;
}

/** `ferry secrets list` as `name key` pairs. */
async function listed(): Promise<string[]> {
  const run = await ferry(['secrets', 'list']);
  expect(run.exitCode, run.stderr).toBe(0);
  const [header, ...rows] = run.stdout.split('\n');
  expect(header?.split(/ {2,}/)).toEqual(['NAME', 'KEY', 'UPDATED']);
  return rows.map((row) => row.split(/ {2,}/).slice(0, 2).join(' '));
}

async function rawSecretsTable(): Promise<string> {
  return JSON.stringify((await database.client.query('SELECT * FROM ferry_state.secrets')).rows);
}

describe('ferry secrets and ferry keys', () => {
  let oldKey: string;
  let newKey: string;
  let oldId: string;
  let newId: string;

  it('keys generate: prints a fresh 32-byte base64 key and nothing else', async () => {
    [oldKey, newKey] = await Promise.all([generateKey(), generateKey()]);
    for (const key of [oldKey, newKey]) {
      expect(key).toMatch(/^[A-Za-z0-9+/]{43}=$/);
      expect(Buffer.from(key, 'base64')).toHaveLength(32);
    }
    expect(newKey).not.toBe(oldKey);
  });

  it('secrets set: reads the value from stdin, less one trailing newline, and stores only ciphertext', async () => {
    const run = await ferry(['secrets', 'set', 'acme_pg'], { keys: [oldKey], input: `${VALUE}\n` });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^stored secret "acme_pg" \(key k_[0-9a-f]{12}\)$/);
    oldId = /k_[0-9a-f]{12}/.exec(run.stdout)![0];

    const state = await openStateStore(database.url);
    try {
      expect(await openVault(state, { FERRY_MASTER_KEY: oldKey }).get('acme_pg')).toBe(VALUE);
    } finally {
      await state.close();
    }
    const raw = await rawSecretsTable();
    expect(raw).toContain(oldId);
    for (const leak of [VALUE, 'Pässwörd', oldKey]) expect(raw).not.toContain(leak);
  });

  it('secrets list: names and key ids, never values, and works without a master key', async () => {
    expect(await listed()).toEqual([`acme_pg ${oldId}`]);
  });

  it('keys rotate: re-encrypts under the first key given, reporting progress and which key is primary', async () => {
    const run = await ferry(['keys', 'rotate'], { keys: [newKey, oldKey] });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stderr).toBe(`[1/1] acme_pg: re-encrypted (was under ${oldId})`);
    newId = /^1 secret\(s\) re-encrypted, 0 already under the primary key (k_[0-9a-f]{12})\. .*drop the older keys/.exec(run.stdout)?.[1] ?? '';
    expect(newId, run.stdout).not.toBe('');
    expect(newId).not.toBe(oldId);
    expect(await listed()).toEqual([`acme_pg ${newId}`]);
    expect(await rawSecretsTable()).not.toContain(VALUE);

    // The new key alone, from a key file, reads it all: nothing is left to rotate.
    const keyFile = join(dir, 'master.key');
    await writeFile(keyFile, `# the primary\n${newKey}\n`, { mode: 0o600 });
    try {
      const again = await ferry(['keys', 'rotate'], { keyFile });
      expect(again.exitCode, again.stderr).toBe(0);
      expect(again.stdout).toMatch(/^0 secret\(s\) re-encrypted, 1 already under the primary key/);
      await chmod(keyFile, 0o644);
      const exposed = await ferry(['keys', 'rotate'], { keyFile });
      expect(exposed.exitCode).toBe(1);
      expect(exposed.stderr).toBe(
        `error: the key file ${keyFile} (FERRY_MASTER_KEY_FILE) is accessible by other users (mode 0644): restrict it with \`chmod 600 ${keyFile}\``,
      );
    } finally {
      await rm(keyFile, { force: true });
    }
  });

  it('the old key alone: exit 1, naming the key the secret needs and the keys given', async () => {
    const run = await ferry(['keys', 'rotate'], { keys: [oldKey] });
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(
      `[1/1] acme_pg: left unchanged (see the error below)\n` +
        `error: could not rotate 1 of 1 secret(s), left as they were (0 rotated, 0 already under ${oldId}):\n` +
        `  - secret "acme_pg" is encrypted under key ${newId}, not among the keys given (${oldId} in FERRY_MASTER_KEY): ` +
        'add that key to FERRY_MASTER_KEY after the primary, or set the secret again with `ferry secrets set acme_pg`',
    );
  });

  it('refuses, with exit 1 and the fix: no master key, a malformed one, an empty value, a bad name', async () => {
    const cases: [Parameters<typeof ferry>, string][] = [
      [
        [['secrets', 'set', 'globex_pg'], { input: VALUE }],
        'error: cannot store secret "globex_pg" without a master key to encrypt it: set FERRY_MASTER_KEY (or FERRY_MASTER_KEY_FILE) to a key from `ferry keys generate`',
      ],
      [
        [['secrets', 'set', 'globex_pg'], { keys: [newKey, 'hunter2-not-a-key'], input: VALUE }],
        "error: FERRY_MASTER_KEY's key 2 is not 32 bytes of base64: generate one with `ferry keys generate`",
      ],
      [
        [['secrets', 'set', 'globex_pg'], { keys: [newKey], input: '\n' }],
        'error: no value for secret "globex_pg" on stdin: pipe the value in, e.g. `ferry secrets set globex_pg < value.txt`',
      ],
      [
        [['secrets', 'set', 'globex pg'], { keys: [newKey], input: VALUE }],
        'error: invalid secret name "globex pg": use up to 128 letters, digits, underscores, dots and dashes, starting with a letter or underscore',
      ],
      [
        [['secrets', 'delete', 'globex_pg']],
        'error: no secret "globex_pg" in the state store: add it with `ferry secrets set globex_pg`; known: acme_pg',
      ],
    ];
    // None of them changes anything, so they run at once.
    const runs = await Promise.all(cases.map(([[args, options]]) => ferry(args, options)));
    for (const [index, [[args], message]] of cases.entries()) {
      const run = runs[index]!;
      expect(run.exitCode, args.join(' ')).toBe(1);
      expect(run.stdout, args.join(' ')).toBe('');
      expect(run.stderr).toBe(message);
    }
    expect(await listed()).toHaveLength(1);
  });

  it('secrets delete: removes it', async () => {
    const run = await ferry(['secrets', 'delete', 'acme_pg']);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stdout).toBe('deleted secret "acme_pg"');
    const empty = await ferry(['secrets', 'list']);
    expect(empty.stdout).toBe('No secrets stored. Add one with `ferry secrets set <name> < file`.');
  });

  it('never printed the value or a key, and wrote nothing beside ferry.yaml', async () => {
    expect(keysGiven.size).toBeGreaterThanOrEqual(2);
    const everything = printed.join('\n');
    for (const secret of [VALUE, 'Pässwörd', ...keysGiven]) expect(everything).not.toContain(secret);
    expect(Object.keys(await snapshotTree(dir))).toEqual(['ferry.yaml']);
  });
});
