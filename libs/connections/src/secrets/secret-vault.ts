import type { StateStore, StoredSecret } from '@ferry/state';
import { readKeyring, type Keyring } from './keyring.ts';
import type { MasterKey } from './master-key.ts';
import { SecretError } from './secret-error.ts';

/** What a secret may be called: usable unquoted in `${secret:NAME}` and on a command line. */
export const SECRET_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_.-]{0,127}$/;

/** A stored secret as listings show it: never its value. */
export interface SecretSummary {
  readonly name: string;
  /** The master key it is sealed under. */
  readonly keyId: string;
  readonly updatedAt: Date;
}

/** One secret's turn in a rotation, reported as it ends. */
export interface RotationProgress {
  readonly name: string;
  /** `deleted`: removed while the rotation ran. `failed`: left unchanged; the error rotate throws says why. */
  readonly outcome: 'rotated' | 'already-current' | 'deleted' | 'failed';
  /** The key it was sealed under when the rotation read it. */
  readonly fromKeyId: string;
  readonly done: number;
  readonly total: number;
}

export interface RotationResult {
  /** The keyring's primary key, which every secret is now sealed under. */
  readonly primaryKeyId: string;
  readonly rotated: number;
  readonly alreadyCurrent: number;
}

/** A secret that keeps being set this many times while one rotation re-seals it is left to the next rotation. */
const ROTATION_ATTEMPTS = 5;

const SET_KEY = 'set FERRY_MASTER_KEY (or FERRY_MASTER_KEY_FILE)';

/**
 * Ferry's credentials, sealed with the master keys before they reach the state store, which
 * holds only ciphertext. The keyring is read on first need, so listing and deleting secrets,
 * and every command that reads none, work without a master key. Made by `openVault`.
 */
export class SecretVault {
  readonly #state: StateStore;
  readonly #keyring: () => Promise<Keyring>;

  constructor(state: StateStore, keyring: () => Promise<Keyring>) {
    this.#state = state;
    this.#keyring = keyring;
  }

  /** Seals `value` under the primary key and stores it as `name`, replacing any value it had. */
  async set(name: string, value: string): Promise<{ keyId: string }> {
    checkName(name);
    if (value === '') throw new SecretError(`secret "${name}" would be empty: give it a value`);
    const primary = (await this.#keyring()).keys[0];
    if (!primary) {
      throw new SecretError(`cannot store secret "${name}" without a master key to encrypt it: ${SET_KEY} to a key from \`ferry keys generate\``);
    }
    await this.#state.putSecret({ name, keyId: primary.id, sealed: primary.seal(name, value) });
    return { keyId: primary.id };
  }

  /** The value of `name`, opened with the key it was sealed under. */
  async get(name: string): Promise<string> {
    checkName(name);
    const secret = await this.#state.getSecret(name);
    if (!secret) throw await this.#unknown(name);
    return this.#open(secret, await this.#keyring());
  }

  async delete(name: string): Promise<void> {
    checkName(name);
    if (!(await this.#state.deleteSecret(name))) throw await this.#unknown(name);
  }

  /** Every secret's name, key and last change, by name. */
  async list(): Promise<SecretSummary[]> {
    return (await this.#state.listSecrets()).map(({ name, keyId, updatedAt }) => ({ name, keyId, updatedAt }));
  }

  /**
   * Re-seals under the primary key every secret sealed under another key of the keyring, one at a
   * time, each with a compare-and-swap: a secret set while the rotation runs keeps its new value
   * (and is rotated as it now stands). Readers holding the whole keyring never notice.
   *
   * A secret no key given can open is left unchanged and the others still rotate; then rotate
   * throws a SecretError naming each such secret and the key it needs. Running it again is safe.
   */
  async rotate(onProgress?: (progress: RotationProgress) => void | Promise<void>): Promise<RotationResult> {
    const keyring = await this.#keyring();
    const primary = keyring.keys[0];
    if (!primary) {
      throw new SecretError(
        `cannot rotate without master keys: set FERRY_MASTER_KEY to the new key followed by the old ones, comma-separated (new,old)`,
      );
    }
    const secrets = await this.#state.listSecrets();
    const counts = { rotated: 0, 'already-current': 0, deleted: 0 };
    const failures: string[] = [];
    for (const [index, secret] of secrets.entries()) {
      let outcome: RotationProgress['outcome'];
      try {
        outcome = await this.#rotateOne(secret, keyring, primary);
        counts[outcome] += 1;
      } catch (error) {
        if (!(error instanceof SecretError)) throw error;
        failures.push(error.message);
        outcome = 'failed';
      }
      await onProgress?.({ name: secret.name, outcome, fromKeyId: secret.keyId, done: index + 1, total: secrets.length });
    }
    if (failures.length > 0) {
      throw new SecretError(
        `could not rotate ${failures.length} of ${secrets.length} secret(s), left as they were ` +
          `(${counts.rotated} rotated, ${counts['already-current']} already under ${primary.id}):\n${failures.map((f) => `  - ${f}`).join('\n')}`,
      );
    }
    return { primaryKeyId: primary.id, rotated: counts.rotated, alreadyCurrent: counts['already-current'] };
  }

  async #rotateOne(read: StoredSecret, keyring: Keyring, primary: MasterKey): Promise<'rotated' | 'already-current' | 'deleted'> {
    let secret = read;
    for (let attempt = 1; attempt <= ROTATION_ATTEMPTS; attempt += 1) {
      if (secret.keyId === primary.id) return 'already-current';
      const next = { keyId: primary.id, sealed: primary.seal(secret.name, this.#open(secret, keyring)) };
      if (await this.#state.replaceSecret(secret.name, secret.sealed, next)) return 'rotated';
      // Set (or deleted) since it was read: rotate what is stored now, never overwrite it with what was read.
      const current = await this.#state.getSecret(secret.name);
      if (!current) return 'deleted';
      secret = current;
    }
    throw new SecretError(`secret "${secret.name}" kept changing while it was being rotated: run \`ferry keys rotate\` again`);
  }

  #open(secret: StoredSecret, keyring: Keyring): string {
    if (keyring.keys.length === 0) {
      throw new SecretError(`secret "${secret.name}" is stored encrypted: ${SET_KEY} to the key it was stored with (${secret.keyId})`);
    }
    const key = keyring.keys.find((k) => k.id === secret.keyId);
    if (!key) {
      throw new SecretError(
        `secret "${secret.name}" is encrypted under key ${secret.keyId}, not among the keys given (${keyring.keys.map((k) => k.id).join(', ')} in ${keyring.source}): ` +
          `add that key to ${keyring.source} after the primary, or set the secret again with \`ferry secrets set ${secret.name}\``,
      );
    }
    return key.open(secret.name, secret.sealed);
  }

  async #unknown(name: string): Promise<SecretError> {
    const known = (await this.#state.listSecrets()).map((s) => s.name);
    return new SecretError(
      `no secret "${name}" in the state store: add it with \`ferry secrets set ${name}\`${known.length > 0 ? `; known: ${known.join(', ')}` : ''}`,
    );
  }
}

/**
 * The vault over `state`, with the master keys from `env` (FERRY_MASTER_KEY or
 * FERRY_MASTER_KEY_FILE, see readKeyring), read once, on first need: a ferry.yaml without
 * secret references never needs a master key. Resolving `${secret:NAME}` is
 * `await openVault(state, env).get(NAME)`; its errors are SecretErrors, safe to print as they are.
 */
export function openVault(state: StateStore, env: NodeJS.ProcessEnv = process.env): SecretVault {
  let keyring: Promise<Keyring> | undefined;
  return new SecretVault(state, () => (keyring ??= readKeyring(env)));
}

function checkName(name: string): void {
  if (!SECRET_NAME_PATTERN.test(name)) {
    throw new SecretError(
      `invalid secret name ${JSON.stringify(name.length > 140 ? `${name.slice(0, 140)}…` : name)}: ` +
        'use up to 128 letters, digits, underscores, dots and dashes, starting with a letter or underscore',
    );
  }
}
