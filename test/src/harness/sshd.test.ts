import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { execa } from 'execa';
import pg from 'pg';
import ssh2, { Client, type ClientChannel, type ConnectConfig } from 'ssh2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { POSTGRES_ADMIN_URL } from './postgres.ts';
import { startTestSshServer, type TestSshServer } from './sshd.ts';

/** The harness's own test: each feature the SSH-tunnel tests rely on, proved through a real ssh2 client. */
const POSTGRES = new URL(POSTGRES_ADMIN_URL);

let server: TestSshServer;
beforeAll(async () => {
  server = await startTestSshServer();
});
afterAll(() => server?.close());

/** Connects, accepting only the host key whose fingerprint the harness reports. */
async function connectTo(auth: Partial<ConnectConfig>): Promise<Client> {
  const client = new Client();
  await new Promise<void>((resolve, reject) => {
    client
      .once('ready', resolve)
      .once('error', reject)
      .connect({
        host: server.host,
        port: server.port,
        username: server.user,
        hostVerifier: (key: Buffer) => `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}` === server.hostKeyFingerprint,
        ...auth,
      });
  });
  return client;
}

const byKey = () => ({ privateKey: server.privateKey, passphrase: server.passphrase });

function forwardToPostgres(client: Client): Promise<ClientChannel> {
  return new Promise((resolve, reject) =>
    client.forwardOut('127.0.0.1', 0, POSTGRES.hostname, Number(POSTGRES.port || 5432), (error, stream) => (error ? reject(error) : resolve(stream))),
  );
}

describe('the SSH test server', () => {
  it('forwards to Postgres for a key encrypted with its passphrase', async () => {
    expect(ssh2.utils.parseKey(server.privateKey)).toBeInstanceOf(Error);
    expect(ssh2.utils.parseKey(server.privateKey, server.passphrase)).not.toBeInstanceOf(Error);
    expect((await stat(server.privateKeyPath)).mode & 0o777).toBe(0o600);
    const client = await connectTo(byKey());
    const local = createServer((socket) => {
      forwardToPostgres(client).then(
        (stream) => socket.pipe(stream).pipe(socket),
        () => socket.destroy(),
      );
    });
    await new Promise<void>((resolve) => local.listen(0, '127.0.0.1', resolve));
    const url = new URL(POSTGRES_ADMIN_URL);
    url.hostname = '127.0.0.1';
    url.port = String((local.address() as AddressInfo).port);
    const db = new pg.Client({ connectionString: url.toString() });
    try {
      await db.connect();
      expect((await db.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    } finally {
      await db.end();
      local.close();
      client.end();
    }
  });

  it('accepts the password', async () => {
    (await connectTo({ password: server.password })).end();
  });

  it('refuses the unauthorised key', async () => {
    await expect(connectTo({ privateKey: server.unauthorisedPrivateKey })).rejects.toMatchObject({ level: 'client-authentication' });
  });

  it('cuts an established forward and takes new connections after', async () => {
    const client = await connectTo(byKey());
    const stream = await forwardToPostgres(client);
    // An ssh2 channel, like any stream, emits 'close' only once read to its end, as a tunnel's pipe reads it.
    stream.resume();
    const closed = Promise.all([once(stream, 'close'), once(client, 'close')]);
    await server.cutConnections();
    await closed;
    const again = await connectTo(byKey());
    (await forwardToPostgres(again)).close();
    again.end();
  });

  it('refuses connections once stopped and comes back with the same host key on restart', async () => {
    await server.stop();
    await server.stop();
    await expect(connectTo(byKey())).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    await server.restart();
    (await connectTo(byKey())).end();
  });

  it('deletes its user and files on close', async () => {
    await server.close();
    expect((await execa('id', [server.user], { reject: false })).exitCode).not.toBe(0);
    expect(existsSync(server.privateKeyPath)).toBe(false);
    await expect(connectTo(byKey())).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });
});
