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

  it('drops all user info from a URL it cannot parse', () => {
    expect(redactUrl('postgres://ferry:secret@[bad-host/state')).toBe('postgres://***@[bad-host/state');
  });
});

describe('scrubSecrets', () => {
  it('removes the decoded password and password parameters from a message', () => {
    const url = 'postgres://ferry:p%40ss@db.example.com/state?sslpassword=key-secret';
    expect(scrubSecrets('auth failed for p@ss with key-secret', url)).toBe('auth failed for *** with ***');
  });
});
