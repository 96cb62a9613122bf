import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { MasterKey, generateMasterKey } from './master-key.ts';
import { SecretError } from './secret-error.ts';

function newKey(): { text: string; key: MasterKey } {
  const text = generateMasterKey();
  return { text, key: MasterKey.fromBase64(text)! };
}

function errorOf(run: () => unknown): SecretError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(SecretError);
    return error as SecretError;
  }
  throw new Error('expected a SecretError');
}

describe('master keys', () => {
  it('are 32 random bytes as base64, each with a short id that is not the key', () => {
    const { text, key } = newKey();
    expect(text).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(text, 'base64')).toHaveLength(32);
    expect(key.id).toMatch(/^k_[0-9a-f]{12}$/);
    expect(MasterKey.fromBase64(` ${text}\n`)!.id).toBe(key.id);
    expect(MasterKey.fromBase64(text.replace(/=$/, ''))!.id).toBe(key.id);
    expect(newKey().key.id).not.toBe(key.id);
  });

  it('refuses text that is not exactly 32 bytes of canonical base64', () => {
    const { text } = newKey();
    for (const bad of [
      '',
      'hunter2',
      text.slice(0, 40),
      `${text}AAAA`,
      Buffer.alloc(16).toString('base64'),
      `${text.slice(0, 42)}B=`,
      `${text.slice(0, 43)}!`,
    ]) {
      expect(MasterKey.fromBase64(bad), bad).toBeUndefined();
    }
  });

  it('never shows its material when printed, logged or encoded', () => {
    const { text, key } = newKey();
    const hex = Buffer.from(text, 'base64').toString('hex');
    for (const shown of [inspect(key, { showHidden: true, depth: 10 }), JSON.stringify({ key }), String(key), `${inspect({ key })}`]) {
      expect(shown).not.toContain(text);
      expect(shown).not.toContain(hex);
    }
    expect(inspect(key)).toBe(`MasterKey ${key.id}`);
  });
});

describe('sealing', () => {
  const { key } = newKey();

  it.each([
    ['ascii', 'p@ssw0rd!'],
    ['unicode', 'pässwörd — 鍵 🔑 \u0000 "quoted" \\ \n newline'],
    ['10 KB', 'x'.repeat(5_000) + 'é'.repeat(2_500)],
    ['a PEM private key', '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n'],
  ])('round-trips %s, in the versioned text format, fresh IV every time', (_, value) => {
    const sealed = key.seal('acme_pg', value);
    expect(sealed).toMatch(/^v1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]+$/);
    expect(sealed).not.toContain(value.slice(0, 8));
    expect(key.open('acme_pg', sealed)).toBe(value);
    expect(key.seal('acme_pg', value)).not.toBe(sealed);
  });

  it('fails authentication, never returning garbage, under another key', () => {
    const sealed = key.seal('acme_pg', 'the-plaintext-value');
    const other = newKey();
    const error = errorOf(() => other.key.open('acme_pg', sealed));
    expect(error.message).toMatch(
      new RegExp(`^secret "acme_pg" fails authentication under key ${other.key.id}.*set it again with \`ferry secrets set acme_pg\``),
    );
    expect(error.message).not.toContain('the-plaintext-value');
    expect(error.message).not.toContain(other.text);
  });

  it('fails authentication when any part of the sealed text changed', () => {
    const sealed = key.seal('acme_pg', 'the-plaintext-value');
    const parts = sealed.split('.');
    const flip = (part: string) => Buffer.from(Buffer.from(part, 'base64url').map((byte, i) => (i === 0 ? byte ^ 1 : byte))).toString('base64url');
    for (const index of [1, 2, 3]) {
      const tampered = parts.map((part, i) => (i === index ? flip(part) : part)).join('.');
      expect(() => key.open('acme_pg', tampered), `part ${index}`).toThrow(/fails authentication under key k_/);
    }
    expect(() => key.open('acme_pg', parts.slice(0, 3).join('.'))).toThrow(/fails authentication/);
    expect(() => key.open('acme_pg', `${sealed}.extra`)).toThrow(/fails authentication/);
  });

  it('fails authentication when the sealed text is moved to another name', () => {
    const sealed = key.seal('acme_pg', 'the-plaintext-value');
    expect(() => key.open('globex_pg', sealed)).toThrow(/^secret "globex_pg" fails authentication.*copied from another secret/);
  });

  it('names a format it does not read without echoing the stored text', () => {
    const sealed = key.seal('acme_pg', 'value');
    expect(() => key.open('acme_pg', sealed.replace(/^v1/, 'v2'))).toThrow(
      'secret "acme_pg" is stored in format v2, which this Ferry cannot read: upgrade Ferry, or set it again with `ferry secrets set acme_pg`',
    );
    const error = errorOf(() => key.open('acme_pg', 'plaintext-stored-by-mistake'));
    expect(error.message).toMatch(/is stored in an unknown format/);
    expect(error.message).not.toContain('plaintext-stored-by-mistake');
  });
});
