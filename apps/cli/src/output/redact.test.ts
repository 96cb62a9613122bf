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
    [
      'inside JSON inside a JSON string (a driver quoting a JSON body, logged as JSON)',
      (s: string) => JSON.stringify({ error: JSON.stringify({ body: s }) }),
    ],
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

describe('redactSecrets on URLs it was never told about', () => {
  // Written without percent-encoding: pg would read Url as the password, Pw as the host and the rest as the database.
  const password = 'Url@Pw/SECRET:42';
  const url = `postgres://u:${password}@host/db`;

  it('masks a password with an unencoded @ and / whole: everything up to the LAST @', () => {
    expect(redactSecrets(`cannot connect to ${url}: timeout`)).toBe('cannot connect to postgres://u:***@host/db: timeout');
    const json = redactSecrets(JSON.stringify({ msg: `cannot connect to ${url}`, user: 'me@corp' }));
    expect(JSON.parse(json)).toEqual({ msg: 'cannot connect to postgres://u:***@host/db', user: 'me@corp' });
    for (const text of [redactSecrets(url), json]) for (const piece of [password, 'Url', 'Pw/', 'SECRET', ':42']) expect(text).not.toContain(piece);
  });

  it.each([
    ['a ?', 'postgres://u:a?b=c@host/db'],
    ['a #', 'postgres://u:12#x@host/db'],
    ['an @ in the user name too (user@server logins)', 'postgres://me@server:pa@ss/w0rd@host/db'],
  ])('masks a password with %s whole', (_, written) => {
    const text = redactSecrets(`at ${written} `);
    expect(text).toMatch(/^at postgres:\/\/[^:]*:\*\*\*@host\/db $/);
  });

  it('keeps the host, database and query of a URL whose @ is in a query value', () => {
    for (const text of ['postgres://ferry@db:5432/x?application_name=me@corp', 'postgres://db:5432/x?sslrootcert=/keys/me@corp/ca.pem']) {
      expect(redactSecrets(text)).toBe(text);
    }
    expect(redactSecrets('postgres://ferry:hunter22@db/x?application_name=me@corp')).toBe('postgres://ferry:***@db/x?application_name=me@corp');
  });

  it('masks password query parameters, which pg reads too', () => {
    expect(redactSecrets('postgres://db/x?sslmode=require&password=hunter22&sslpassword=key-pw#f')).toBe(
      'postgres://db/x?sslmode=require&password=***&sslpassword=***#f',
    );
  });
});

describe('redactSecrets leaves the words after a field name alone', () => {
  it.each([
    'destinations[0].password: environment variable ACME_PW is not set (export it, or put it in the environment of the job)',
    'destinations[0].password: FERRY_MASTER_KEY and FERRY_MASTER_KEY_FILE are both set: set only one of them',
    "destinations[0].password: FERRY_MASTER_KEY's key 1 is not 32 bytes of base64: generate one with `ferry keys generate`",
    'source.ssh.passphrase: no secret "acme_ssh_passphrase" in the state store',
  ])('%s', (message) => {
    expect(redactSecrets(message)).toBe(message);
  });

  it('still masks the value of a password field it was told about, after the field name', () => {
    registerSecret('Hunter-Field-Value-7');
    expect(redactSecrets('destinations[0].password: login failed with Hunter-Field-Value-7')).toBe('destinations[0].password: login failed with ***');
  });

  it.each([
    ['host=db user=ferry password=hunter22 dbname=x', 'host=db user=ferry password=*** dbname=x'],
    ["host=db password = 'hunter 22' dbname=x", 'host=db password = *** dbname=x'],
    ['PGPASSWORD=hunter22 psql', 'PGPASSWORD=*** psql'],
    ['{"msg":"connect host=db password=hunter22","level":50}', '{"msg":"connect host=db password=***","level":50}'],
  ])('masks a connection string password setting it was never told about: %s', (text, expected) => {
    expect(redactSecrets(text)).toBe(expected);
  });
});
