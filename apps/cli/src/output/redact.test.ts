import { describe, expect, it } from 'vitest';
import { redactSecrets, registerSecret } from './redact.ts';

/** The last line of defence: every form a registered secret can take in printed text. */
describe('redactSecrets', () => {
  const secret = 'pa"ss\\wörd/@:!';
  registerSecret(secret);

  it.each([
    ['as is', (s: string) => `login failed for ${s}`],
    ['URL-encoded', (s: string) => `postgres://u@h/db?password=${encodeURIComponent(s)}`],
    ['inside a JSON string', (s: string) => JSON.stringify({ error: s })],
    ['inside JSON inside a JSON string (a driver quoting a JSON body, logged as JSON)', (s: string) => JSON.stringify({ error: JSON.stringify({ body: s }) })],
  ])('masks it %s', (_, wrap) => {
    const text = redactSecrets(wrap(secret));
    expect(text).toContain('***');
    for (const form of [secret, encodeURIComponent(secret), JSON.stringify(secret).slice(1, -1)]) expect(text).not.toContain(form);
  });

  it('masks a private key line by line, since a message may quote one line', () => {
    const key = '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAACmFlczI1Ni1jdHIAAAAGYmNyeXB0\n-----END OPENSSH PRIVATE KEY-----';
    registerSecret(key);
    expect(redactSecrets('bad line: b3BlbnNzaC1rZXktdjEAAAAACmFlczI1Ni1jdHIAAAAGYmNyeXB0')).toBe('bad line: ***');
  });

  it('leaves secrets under 4 characters alone: masking them would mask the word everywhere', () => {
    registerSecret('abc');
    expect(redactSecrets('abc')).toBe('abc');
  });

  it('masks passwords in URLs and password= pairs it was never told about', () => {
    expect(redactSecrets('postgres://ferry:unknown-pw@db/x and password=hunter22')).toBe('postgres://ferry:***@db/x and password=***');
  });
});
