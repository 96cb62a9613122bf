import net, { type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SshTunnel, SshTunnelError } from './ssh-tunnel.ts';
import type { SshTunnelConfig } from './ssh-tunnel-config.ts';

/**
 * The tunnel's failures that need no SSH server: a peer that accepts TCP and never speaks (a
 * firewall that black-holes, a wrong port), and a key that cannot be read. Logins, host keys,
 * cuts and a bastion that is down run against a real sshd in test/src/connections/.
 */
let silent: net.Server;
const sockets = new Set<net.Socket>();
let port: number;

beforeAll(async () => {
  silent = net.createServer((socket) => {
    sockets.add(socket);
    // Read (and ignore) what the client sends, or the end of its connection would go unseen.
    socket.resume();
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  port = (silent.address() as AddressInfo).port;
});

afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise((resolve) => silent.close(resolve));
});

const config = (overrides: Partial<SshTunnelConfig> = {}): SshTunnelConfig => ({
  host: '127.0.0.1',
  port,
  user: 'ferry',
  password: 'not-used-here',
  hostKey: `SHA256:${'A'.repeat(43)}`,
  keepaliveIntervalSeconds: 15,
  keepaliveCountMax: 3,
  connectTimeoutSeconds: 1,
  ...overrides,
});

describe('SshTunnel against a peer that never speaks', () => {
  it('gives up after ssh.connect_timeout, naming the setting and its value, and leaves no socket open', async () => {
    const started = Date.now();
    const error = await new SshTunnel(config(), { host: 'db.internal', port: 5432 }).open().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SshTunnelError);
    expect((error as SshTunnelError).message).toBe(
      `SSH bastion ferry@127.0.0.1:${port} did not complete the SSH handshake within 1 s (ssh.connect_timeout): ` +
        "check ssh.host and ssh.port, and that the bastion's firewall admits Ferry's address",
    );
    expect(Date.now() - started).toBeLessThan(5_000);
    await expect.poll(() => sockets.size).toBe(0);
  });

  it('close() during the handshake ends it at once', async () => {
    const tunnel = new SshTunnel(config({ connectTimeoutSeconds: 30 }), { host: 'db.internal', port: 5432 });
    const opening = tunnel.open().catch((e: unknown) => e);
    await expect.poll(() => sockets.size).toBe(1);
    const started = Date.now();
    await tunnel.close();
    const error = await opening;
    expect((error as SshTunnelError).message).toMatch(/was closed/);
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});

describe('a private key that cannot be used', () => {
  it('is refused before connecting, without repeating the key', async () => {
    const key = '-----BEGIN OPENSSH PRIVATE KEY-----\nbm90IGEga2V5IGF0IGFsbA==\n-----END OPENSSH PRIVATE KEY-----\n';
    const error = await new SshTunnel(config({ password: undefined, privateKey: key }), { host: 'db.internal', port: 5432 })
      .open()
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'private-key' });
    expect((error as Error).message).toMatch(/^ssh\.private_key for SSH bastion ferry@127\.0\.0\.1:\d+ cannot be used/);
    expect((error as Error).message).not.toContain('bm90IGEga2V5IGF0IGFsbA');
  });
});
