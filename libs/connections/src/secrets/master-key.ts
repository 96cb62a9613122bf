import { createCipheriv, createDecipheriv, createHash, createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import { inspect } from 'node:util';
import { SecretError } from './secret-error.ts';

const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** The first field of every sealed value; a new layout gets a new version, and old ones stay readable. */
const FORMAT = 'v1';

/** A new master key: 32 random bytes as base64 (44 characters), what `ferry keys generate` prints. */
export function generateMasterKey(): string {
  return randomBytes(KEY_BYTES).toString('base64');
}

/**
 * One AES-256 master key. The key material lives in a private field as a KeyObject, so printing,
 * logging or JSON-encoding a MasterKey shows its id and nothing else.
 */
export class MasterKey {
  /**
   * A short fingerprint (`k_` and 12 hex digits of a labelled SHA-256), stored next to each
   * secret so a message can say which key it needs. Not secret: it reveals nothing usable
   * about a 256-bit key.
   */
  readonly id: string;
  readonly #key: KeyObject;

  private constructor(bytes: Buffer) {
    this.id = `k_${createHash('sha256').update('ferry master key id\0').update(bytes).digest('hex').slice(0, 12)}`;
    this.#key = createSecretKey(bytes);
  }

  /**
   * The key written as base64, or undefined when the text is not exactly 32 bytes of base64, so
   * the caller can say where the bad key came from without ever echoing it.
   */
  static fromBase64(text: string): MasterKey | undefined {
    const trimmed = text.trim();
    if (!/^[A-Za-z0-9+/]{43}=?$/.test(trimmed)) return undefined;
    const bytes = Buffer.from(trimmed, 'base64');
    // Canonical encodings only: two texts that decode alike would be one key with two spellings.
    return bytes.length === KEY_BYTES && bytes.toString('base64') === trimmed.padEnd(44, '=') ? new MasterKey(bytes) : undefined;
  }

  /**
   * Encrypts `plaintext` with AES-256-GCM under a fresh random IV, authenticating the secret's
   * name with it, so a sealed value copied to another name fails to open.
   * Returns `v1.<iv>.<tag>.<ciphertext>`, each part base64url.
   */
  seal(name: string, plaintext: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(associatedData(name));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [FORMAT, iv, cipher.getAuthTag(), ciphertext].map((part) => (typeof part === 'string' ? part : part.toString('base64url'))).join('.');
  }

  /**
   * Decrypts what `seal` made for the secret `name`. Any change to it (or opening it under another
   * name, or with another key) fails authentication: a SecretError, never garbage.
   */
  open(name: string, sealed: string): string {
    const [format, ...parts] = sealed.split('.');
    if (format !== FORMAT) {
      const shown = /^v\d{1,4}$/.test(format ?? '') ? `format ${format}` : 'an unknown format';
      throw new SecretError(
        `secret "${name}" is stored in ${shown}, which this Ferry cannot read: upgrade Ferry, or set it again with \`ferry secrets set ${name}\``,
      );
    }
    const [iv, tag, ciphertext] = parts.map((part) => Buffer.from(part, 'base64url'));
    try {
      if (parts.length !== 3 || iv?.length !== IV_BYTES || tag?.length !== TAG_BYTES || !ciphertext) throw new Error('malformed');
      const decipher = createDecipheriv('aes-256-gcm', this.#key, iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(associatedData(name));
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
    } catch {
      throw new SecretError(
        `secret "${name}" fails authentication under key ${this.id}, the key it was stored with: ` +
          `its stored ciphertext was changed, damaged or copied from another secret; set it again with \`ferry secrets set ${name}\``,
      );
    }
  }

  toJSON(): string {
    return `MasterKey ${this.id}`;
  }

  [inspect.custom](): string {
    return `MasterKey ${this.id}`;
  }
}

function associatedData(name: string): Buffer {
  return Buffer.from(`ferry secret ${FORMAT}\0${name}`, 'utf8');
}
