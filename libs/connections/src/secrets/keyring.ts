import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { MasterKey } from './master-key.ts';
import { SecretError } from './secret-error.ts';

/**
 * The master keys a process was given, the primary first. The primary seals every secret stored
 * from now on; every key opens what it sealed. Holding the new key and the old ones at once is
 * what lets a rotation run while runners keep reading.
 */
export interface Keyring {
  /** Primary first; empty when no key was given. */
  readonly keys: readonly MasterKey[];
  /** Where the keys came from, for messages: `FERRY_MASTER_KEY` or `the key file <path>`. */
  readonly source: string;
}

const GENERATE = 'generate one with `ferry keys generate`';

/**
 * Reads the keyring from `FERRY_MASTER_KEY` (one base64 key, or several separated by commas) or
 * from the file `FERRY_MASTER_KEY_FILE` names (one key per line; blank lines and `#` comments
 * ignored). Neither set (or set empty) gives an empty keyring: only reading or storing a secret
 * needs a key, and the caller says so in its terms.
 *
 * Refuses both variables at once, a malformed key (by its position, never its text) and a key
 * file other users can read.
 */
export async function readKeyring(env: NodeJS.ProcessEnv): Promise<Keyring> {
  const inline = env.FERRY_MASTER_KEY?.trim() || undefined;
  const file = env.FERRY_MASTER_KEY_FILE?.trim() || undefined;
  if (inline && file) {
    throw new SecretError('FERRY_MASTER_KEY and FERRY_MASTER_KEY_FILE are both set: set only one of them');
  }
  if (file) return { keys: await keysFromFile(resolve(file)), source: `the key file ${resolve(file)}` };
  const keys = (inline?.split(',') ?? []).map((text, index) => {
    if (text.trim() === '') {
      throw new SecretError(`FERRY_MASTER_KEY's key ${index + 1} is empty: separate keys with single commas, the primary first (new,old)`);
    }
    return MasterKey.fromBase64(text) ?? fail(`FERRY_MASTER_KEY's key ${index + 1} is not 32 bytes of base64: ${GENERATE}`);
  });
  return { keys: distinct(keys), source: 'FERRY_MASTER_KEY' };
}

async function keysFromFile(path: string): Promise<MasterKey[]> {
  const { mode } = await stat(path).catch(cannotRead(path));
  // Like ssh with a private key: a key others can read is no longer a secret, so refuse to use it.
  if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
    const octal = (mode & 0o777).toString(8).padStart(4, '0');
    throw new SecretError(
      `the key file ${path} (FERRY_MASTER_KEY_FILE) is accessible by other users (mode ${octal}): restrict it with \`chmod 600 ${path}\``,
    );
  }
  const text = await readFile(path, 'utf8').catch(cannotRead(path));
  const keys: MasterKey[] = [];
  for (const [index, line] of text.split('\n').entries()) {
    const entry = line.trim();
    if (entry === '' || entry.startsWith('#')) continue;
    keys.push(
      MasterKey.fromBase64(entry) ?? fail(`the key file ${path} (FERRY_MASTER_KEY_FILE): line ${index + 1} is not 32 bytes of base64: ${GENERATE}`),
    );
  }
  if (keys.length === 0) throw new SecretError(`the key file ${path} (FERRY_MASTER_KEY_FILE) holds no key: ${GENERATE} and write it there`);
  return distinct(keys);
}

/** The same key given twice is one key; the first place it appears decides whether it is the primary. */
function distinct(keys: readonly MasterKey[]): MasterKey[] {
  const seen = new Set<string>();
  return keys.filter((key) => !seen.has(key.id) && seen.add(key.id));
}

function cannotRead(path: string) {
  return (error: NodeJS.ErrnoException): never => {
    throw new SecretError(
      `cannot read the key file ${path} that FERRY_MASTER_KEY_FILE names (${error.code ?? error.message}): check the path and its permissions`,
    );
  };
}

function fail(message: string): never {
  throw new SecretError(message);
}
