import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTlsPostgres, type TlsPostgres } from './tls-postgres.ts';

/** The harness's own test: what the TLS tests rely on, proved through the pg driver they use. */
let server: TlsPostgres;
let ca: string;
beforeAll(async () => {
  server = await startTlsPostgres();
  ca = await readFile(server.caPath, 'utf8');
});
afterAll(() => server?.close());

/** Connects with `url` changed by `edit`, runs `sql` and returns its first row. */
async function queryWith(edit: (url: URL) => void, sql = 'SELECT 1 AS one'): Promise<Record<string, unknown>> {
  const url = new URL(server.url);
  edit(url);
  const client = new pg.Client({ connectionString: url.toString() });
  try {
    await client.connect();
    return (await client.query(sql)).rows[0];
  } finally {
    await client.end().catch(() => undefined);
  }
}

describe('the TLS Postgres', () => {
  it('takes a TLS connection that verifies the CA and the name localhost', async () => {
    expect(new URL(server.url).searchParams.get('sslmode')).toBe('verify-full');
    const row = await queryWith(() => {}, 'SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()');
    expect(row).toEqual({ ssl: true });
  });

  it('has a certificate that names localhost and not 127.0.0.1', async () => {
    await expect(queryWith((url) => (url.hostname = '127.0.0.1'))).rejects.toMatchObject({
      code: 'ERR_TLS_CERT_ALTNAME_INVALID',
      message: expect.stringContaining('IP: 127.0.0.1 is not in the cert'),
    });
  });

  it('is not trusted without its CA, so verify-full verifies', async () => {
    await expect(queryWith((url) => url.searchParams.delete('sslrootcert'))).rejects.toMatchObject({ code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' });
  });

  it('refuses a connection without TLS', async () => {
    await expect(queryWith((url) => url.searchParams.set('sslmode', 'disable'))).rejects.toMatchObject({
      code: '28000',
      message: expect.stringContaining('no encryption'),
    });
  });

  it('refuses connections and deletes its files on close', async () => {
    await server.close();
    await server.close();
    expect(existsSync(server.caPath)).toBe(false);
    // Not through the url, whose sslrootcert is gone now: that would fail without reaching the port.
    const client = new pg.Client({ host: 'localhost', port: server.port, user: 'postgres', database: 'postgres', ssl: { ca } });
    await expect(client.connect()).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });
});
