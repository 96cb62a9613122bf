import { describe, expect, it } from 'vitest';
import { redactUrl, scrubSecrets } from './redact-url.ts';

describe('redactUrl', () => {
  it('hides the password, keeping user, host, port and database', () => {
    expect(redactUrl('postgres://ferry:p%40ss@db.example.com:6543/state')).toBe('postgres://ferry:***@db.example.com:6543/state');
  });

  it('hides password query parameters, which pg reads too', () => {
    expect(redactUrl('postgres://db.example.com/state?password=secret&sslmode=require')).toBe(
      'postgres://db.example.com/state?password=***&sslmode=require',
    );
  });

  it('leaves a URL without secrets as it is', () => {
    expect(redactUrl('postgres://ferry@db.example.com/state')).toBe('postgres://ferry@db.example.com/state');
  });

  it('hides the password of a URL it cannot parse', () => {
    expect(redactUrl('postgres://ferry:secret@[bad-host/state')).toBe('postgres://ferry:***@[bad-host/state');
  });

  it('hides all of a password with an unencoded @ and /, up to the last @ (pg would read Pw as the host)', () => {
    const redacted = redactUrl('postgres://u:Url@Pw/SECRET:42@db.example.com/state');
    expect(redacted).toBe('postgres://u:***@db.example.com/state');
    for (const piece of ['Url', 'Pw', 'SECRET', '42']) expect(redacted).not.toContain(piece);
  });

  it('hides a password with an unencoded ? or #, which pg cannot parse', () => {
    expect(redactUrl('postgres://u:a?b#c@db.example.com/state')).toBe('postgres://u:***@db.example.com/state');
  });

  it('keeps an @ in a query value as part of the query', () => {
    expect(redactUrl('postgres://ferry:pw@db.example.com/state?application_name=me@corp')).toBe(
      'postgres://ferry:***@db.example.com/state?application_name=me@corp',
    );
    expect(redactUrl('postgres://db.example.com:5432/state?application_name=me@corp')).toBe(
      'postgres://db.example.com:5432/state?application_name=me@corp',
    );
  });
});

describe('scrubSecrets', () => {
  it('removes the decoded password and password parameters from a message', () => {
    const url = 'postgres://ferry:p%40ss@db.example.com/state?sslpassword=key-secret';
    expect(scrubSecrets('auth failed for p@ss with key-secret', url)).toBe('auth failed for *** with ***');
  });

  it('removes every piece of a password pg misreads: the host and database it took from it', () => {
    const url = 'postgres://u:Url@Pw/SECRET:42@db.example.com:5432/state';
    // What pg reports for that URL: it connects to the host Pw, database SECRET:42@db.example.com/state.
    const scrubbed = scrubSecrets('getaddrinfo ENOTFOUND Pw (database "SECRET:42@db.example.com/state", port 5432)', url);
    expect(scrubbed).toBe('getaddrinfo ENOTFOUND *** (database "***:***@db.example.com/state", port 5432)');
  });
});
