import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readKeyring } from './keyring.ts';
import { MasterKey, generateMasterKey } from './master-key.ts';
import { SecretError } from './secret-error.ts';

const NEW = generateMasterKey();
const OLD = generateMasterKey();
const idOf = (text: string) => MasterKey.fromBase64(text)!.id;

async function messageOf(env: NodeJS.ProcessEnv): Promise<string> {
  const error = await readKeyring(env).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SecretError);
  return (error as SecretError).message;
}

describe('the keyring from FERRY_MASTER_KEY', () => {
  it('holds one key, or several with the first as the primary', async () => {
    expect((await readKeyring({ FERRY_MASTER_KEY: NEW })).keys.map((k) => k.id)).toEqual([idOf(NEW)]);
    const both = await readKeyring({ FERRY_MASTER_KEY: ` ${NEW} , ${OLD}\n` });
    expect(both.keys.map((k) => k.id)).toEqual([idOf(NEW), idOf(OLD)]);
    expect(both.source).toBe('FERRY_MASTER_KEY');
    expect((await readKeyring({ FERRY_MASTER_KEY: `${NEW},${OLD},${NEW}` })).keys.map((k) => k.id)).toEqual([idOf(NEW), idOf(OLD)]);
  });

  it('is empty when neither variable is set, or both are blank', async () => {
    expect((await readKeyring({})).keys).toEqual([]);
    expect((await readKeyring({ FERRY_MASTER_KEY: ' ', FERRY_MASTER_KEY_FILE: '' })).keys).toEqual([]);
  });

  it('names a malformed key by its position, never echoing it', async () => {
    const bad = 'hunter2-not-a-key';
    const message = await messageOf({ FERRY_MASTER_KEY: `${NEW},${bad}` });
    expect(message).toBe("FERRY_MASTER_KEY's key 2 is not 32 bytes of base64: generate one with `ferry keys generate`");
    expect(await messageOf({ FERRY_MASTER_KEY: `${NEW},,${OLD}` })).toMatch(/^FERRY_MASTER_KEY's key 2 is empty: separate keys with single commas/);
    const truncated = await messageOf({ FERRY_MASTER_KEY: NEW.slice(0, 30) });
    expect(truncated).toMatch(/key 1 is not 32 bytes of base64/);
    expect(truncated).not.toContain(NEW.slice(0, 30));
  });

  it('refuses FERRY_MASTER_KEY and FERRY_MASTER_KEY_FILE together', async () => {
    expect(await messageOf({ FERRY_MASTER_KEY: NEW, FERRY_MASTER_KEY_FILE: '/etc/ferry/keys' })).toBe(
      'FERRY_MASTER_KEY and FERRY_MASTER_KEY_FILE are both set: set only one of them',
    );
  });
});

describe('the keyring from FERRY_MASTER_KEY_FILE', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ferry-keyring-'));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function keyFile(name: string, text: string, mode = 0o600): Promise<string> {
    const path = join(dir, name);
    await writeFile(path, text);
    await chmod(path, mode);
    return path;
  }

  it('reads one key per line, the first the primary, skipping blank lines and comments', async () => {
    const path = await keyFile('keys', `# rotated 2024-05: new first\n\n${NEW}\n  # the old one, until every secret is rotated\n${OLD}\n`);
    const keyring = await readKeyring({ FERRY_MASTER_KEY_FILE: path });
    expect(keyring.keys.map((k) => k.id)).toEqual([idOf(NEW), idOf(OLD)]);
    expect(keyring.source).toBe(`the key file ${path}`);
  });

  it.each([0o640, 0o604, 0o644, 0o660])('refuses a file other users can reach (mode %o), saying how to fix it', async (mode) => {
    const path = await keyFile(`open-${mode.toString(8)}`, `${NEW}\n`, mode);
    const message = await messageOf({ FERRY_MASTER_KEY_FILE: path });
    expect(message).toBe(
      `the key file ${path} (FERRY_MASTER_KEY_FILE) is accessible by other users (mode 0${mode.toString(8)}): restrict it with \`chmod 600 ${path}\``,
    );
    expect(message).not.toContain(NEW);
  });

  it('names the line of a malformed key, a file without keys, and a file it cannot read', async () => {
    const bad = await keyFile('bad', `${NEW}\n# comment\nnot-a-key-secret\n`);
    const message = await messageOf({ FERRY_MASTER_KEY_FILE: bad });
    expect(message).toBe(`the key file ${bad} (FERRY_MASTER_KEY_FILE): line 3 is not 32 bytes of base64: generate one with \`ferry keys generate\``);
    const empty = await keyFile('empty', '# nothing yet\n\n');
    expect(await messageOf({ FERRY_MASTER_KEY_FILE: empty })).toMatch(/^the key file .+ \(FERRY_MASTER_KEY_FILE\) holds no key/);
    const missing = join(dir, 'missing');
    expect(await messageOf({ FERRY_MASTER_KEY_FILE: missing })).toBe(
      `cannot read the key file ${missing} that FERRY_MASTER_KEY_FILE names (ENOENT): check the path and its permissions`,
    );
  });
});
