import { createHash } from 'node:crypto';
import net, { type AddressInfo } from 'node:net';
import type { Client } from 'ssh2';
import type { ForwardTarget, SshTunnelConfig } from './ssh-tunnel-config.ts';

/** Why a tunnel could not be opened or was lost. */
export type SshFailureKind = 'unreachable' | 'timeout' | 'host-key' | 'authentication' | 'private-key' | 'lost' | 'forward';

/** A tunnel failure, in the terms of ferry.yaml's `ssh` block. Never holds a key or password. */
export class SshTunnelError extends Error {
  constructor(
    message: string,
    readonly kind: SshFailureKind,
    /** The network error code when there is one (ECONNREFUSED …), so retries treat it as transient. */
    readonly code?: string,
  ) {
    super(message);
    this.name = 'SshTunnelError';
  }
}

/** A host key's fingerprint as `ssh-keygen -lf` prints it: `SHA256:` and unpadded base64. */
export function hostKeyFingerprint(key: Buffer): string {
  return `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;
}

function sameFingerprint(a: string, b: string): boolean {
  const bare = (fingerprint: string) =>
    fingerprint
      .trim()
      .replace(/^SHA256:/i, '')
      .replace(/=+$/, '');
  return bare(a) === bare(b);
}

/**
 * A local port forward through an SSH bastion: connections to `127.0.0.1:<port>` reach
 * `target` as the bastion sees it. One SSH connection carries every forwarded connection; it
 * is opened by `open()` (so a bastion that is down, an unknown host key or a refused login fail
 * before any warehouse connection), reopened on demand when it was lost, and closed by `close()`.
 *
 * @example
 * const tunnel = new SshTunnel(ssh, { host: 'db.internal', port: 5432 });
 * const local = await tunnel.open();
 * try { await connectTo(local.host, local.port); } finally { await tunnel.close(); }
 */
export class SshTunnel {
  readonly #config: SshTunnelConfig;
  readonly #target: ForwardTarget;
  #client: Client | undefined;
  #connecting: Promise<Client> | undefined;
  /** The client of a handshake in progress, so close() can abort it. */
  #handshaking: Client | undefined;
  #server: net.Server | undefined;
  readonly #sockets = new Set<net.Socket>();
  #problem: string | undefined;
  #closed = false;

  constructor(config: SshTunnelConfig, target: ForwardTarget) {
    this.#config = config;
    this.#target = target;
  }

  /** The bastion, for messages: `SSH bastion ferry@bastion.acme.com:22`. */
  get bastion(): string {
    return `SSH bastion ${this.#config.user}@${this.#config.host}:${this.#config.port}`;
  }

  /**
   * What went wrong on the tunnel since the last connection it forwarded, if anything: the reason
   * behind a warehouse connection that was cut or refused.
   */
  get problem(): string | undefined {
    return this.#problem;
  }

  /** Connects to the bastion and starts listening on an ephemeral loopback port. */
  async open(): Promise<ForwardTarget> {
    if (this.#server) throw new Error(`the tunnel through ${this.bastion} is already open`);
    this.#closed = false;
    const server = net.createServer((socket) => this.#forward(socket));
    try {
      await this.#connect();
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, '127.0.0.1', () => resolve());
      });
    } catch (error) {
      // Nothing to hand back, so nothing the caller could close: close it here.
      await this.close();
      throw error;
    }
    this.#server = server;
    return { host: '127.0.0.1', port: (server.address() as AddressInfo).port };
  }

  /**
   * Opens one connection through the bastion to the target and closes it again: proves the
   * bastion may reach the warehouse, which a local connection to the tunnel cannot tell.
   */
  async checkForward(): Promise<string> {
    const client = await this.#connect();
    const { host, port } = this.#target;
    const seconds = this.#config.connectTimeoutSeconds;
    return new Promise<string>((resolve, reject) => {
      // The bastion waits out its own TCP timeout (minutes) for a warehouse that does not answer.
      const timer = setTimeout(() => {
        reject(
          new SshTunnelError(
            `${this.bastion} got no answer from ${host}:${port} within ${seconds} s (ssh.connect_timeout): check the warehouse's host ` +
              'and port as the bastion sees them, and the firewall between the bastion and the warehouse',
            'forward',
            'ETIMEDOUT',
          ),
        );
      }, seconds * 1000);
      client.forwardOut('127.0.0.1', 0, host, port, (error, channel) => {
        clearTimeout(timer);
        if (error) {
          reject(new SshTunnelError(this.#forwardFailure(error), 'forward'));
          return;
        }
        channel.close();
        resolve(`${this.bastion} reaches ${host}:${port}`);
      });
    });
  }

  #forwardFailure(error: Error): string {
    const { host, port } = this.#target;
    return (
      `${this.bastion} could not connect to ${host}:${port} (${error.message}): check the warehouse's host and port ` +
      'as the bastion sees them, and that the bastion may reach it'
    );
  }

  /** Stops listening, cuts forwarded connections and disconnects from the bastion. Idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#handshaking?.destroy();
    const server = this.#server;
    this.#server = undefined;
    for (const socket of this.#sockets) socket.destroy();
    const client = this.#client;
    this.#client = undefined;
    await Promise.all([server ? new Promise<void>((resolve) => server.close(() => resolve())) : undefined, client ? endClient(client) : undefined]);
  }

  #connect(): Promise<Client> {
    if (this.#client) return Promise.resolve(this.#client);
    this.#connecting ??= this.#handshake().finally(() => {
      this.#connecting = undefined;
    });
    return this.#connecting;
  }

  async #handshake(): Promise<Client> {
    // Loaded by the first tunnel, not by every importer of @ferry/connections: most warehouses need no bastion.
    const ssh2 = await import('ssh2');
    const closed = () => new SshTunnelError(`the tunnel through ${this.bastion} was closed`, 'lost');
    // Closed while ssh2 loaded: there is no handshake for close() to have cut.
    if (this.#closed) throw closed();
    const config = this.#config;
    const handshake = new Promise<Client>((resolve, reject) => {
      const client = new ssh2.Client();
      this.#handshaking = client;
      let seenHostKey: string | undefined;
      let ready = false;
      const fail = (error: SshTunnelError) => {
        // ssh2 only half-closes after a refused login or host key: a bastion that never closes its side would keep the socket.
        client.destroy();
        reject(error);
      };
      client.on('ready', () => {
        ready = true;
        if (this.#closed) {
          fail(closed());
          return;
        }
        this.#client = client;
        resolve(client);
      });
      client.on('error', (error: Error & { level?: string; code?: unknown }) => {
        if (ready) this.#lost(client, describeLoss(error, config));
        else fail(this.#closed ? closed() : this.#describeFailure(error, seenHostKey));
      });
      client.on('close', () => {
        if (ready) this.#lost(client, 'the bastion closed the connection');
        else if (this.#closed) fail(closed());
        else fail(new SshTunnelError(`${this.bastion} closed the connection during the SSH handshake`, 'unreachable', 'ECONNRESET'));
      });
      try {
        client.connect({
          host: config.host,
          port: config.port,
          username: config.user,
          ...(config.privateKey !== undefined ? { privateKey: config.privateKey } : {}),
          ...(config.passphrase !== undefined ? { passphrase: config.passphrase } : {}),
          ...(config.password !== undefined ? { password: config.password } : {}),
          readyTimeout: config.connectTimeoutSeconds * 1000,
          keepaliveInterval: config.keepaliveIntervalSeconds * 1000,
          keepaliveCountMax: config.keepaliveCountMax,
          hostVerifier: (key: Buffer) => {
            seenHostKey = hostKeyFingerprint(key);
            return sameFingerprint(seenHostKey, config.hostKey);
          },
        });
      } catch (error) {
        // ssh2 parses the key synchronously; its message never contains the key or passphrase.
        fail(
          new SshTunnelError(
            `ssh.private_key for ${this.bastion} cannot be used (${(error as Error).message}): ` +
              'give the private key in OpenSSH or PEM format, and its passphrase in ssh.passphrase when it is encrypted',
            'private-key',
          ),
        );
      }
    });
    return handshake.finally(() => {
      this.#handshaking = undefined;
    });
  }

  #describeFailure(error: Error & { level?: string; code?: unknown }, seenHostKey: string | undefined): SshTunnelError {
    const config = this.#config;
    if (seenHostKey !== undefined && !sameFingerprint(seenHostKey, config.hostKey)) {
      return new SshTunnelError(
        `${this.bastion} presented host key ${seenHostKey}, but ssh.host_key pins ${config.hostKey}: refusing to connect. ` +
          "Someone may be intercepting the connection; if the bastion's key changed on purpose, confirm the new fingerprint with its administrator and update ssh.host_key",
        'host-key',
      );
    }
    if (error.level === 'client-authentication') {
      const method = config.privateKey !== undefined ? 'private key' : 'password';
      return new SshTunnelError(
        `${this.bastion} refused the login (${method} authentication failed): check ssh.user, and that ` +
          (config.privateKey !== undefined ? "the key's public half is in the bastion's authorized_keys for that user" : 'ssh.password is current'),
        'authentication',
      );
    }
    if (error.level === 'client-timeout') {
      return new SshTunnelError(
        `${this.bastion} did not complete the SSH handshake within ${config.connectTimeoutSeconds} s (ssh.connect_timeout): ` +
          "check ssh.host and ssh.port, and that the bastion's firewall admits Ferry's address",
        'timeout',
        'ETIMEDOUT',
      );
    }
    if (typeof error.code !== 'string') {
      // The bastion ended the session itself (an SSH DISCONNECT, whose code is a number): its reason says why.
      return new SshTunnelError(`${this.bastion} ended the connection: ${error.message}`, 'unreachable');
    }
    return new SshTunnelError(
      `cannot reach ${this.bastion} (${error.code}): check ssh.host and ssh.port, that the bastion is up, ` +
        "and that its firewall admits Ferry's address",
      'unreachable',
      error.code,
    );
  }

  /** The SSH connection died: cut what it carried now, rather than at each warehouse driver's own timeout. */
  #lost(client: Client, reason: string): void {
    if (this.#client !== client) return;
    this.#client = undefined;
    if (!this.#closed) this.#problem = `the tunnel through ${this.bastion} was lost: ${reason}`;
    for (const socket of this.#sockets) socket.destroy();
    client.end();
  }

  #forward(socket: net.Socket): void {
    this.#sockets.add(socket);
    socket.on('close', () => this.#sockets.delete(socket));
    // The warehouse driver on the other end of the socket reports the failure; this side only records why.
    socket.on('error', () => {});
    const { host, port } = this.#target;
    this.#connect().then(
      (client) => {
        try {
          client.forwardOut('127.0.0.1', socket.remotePort ?? 0, host, port, (error, channel) => {
            if (error) {
              this.#problem = this.#forwardFailure(error);
              socket.destroy();
              return;
            }
            if (socket.destroyed) {
              channel.close();
              return;
            }
            this.#problem = undefined;
            channel.on('error', () => socket.destroy());
            channel.on('close', () => socket.destroy());
            socket.on('close', () => channel.close());
            socket.pipe(channel).pipe(socket);
          });
        } catch (error) {
          this.#problem = `the tunnel through ${this.bastion} was lost: ${(error as Error).message}`;
          socket.destroy();
        }
      },
      (error: Error) => {
        this.#problem = error.message;
        socket.destroy();
      },
    );
  }
}

function describeLoss(error: Error & { level?: string }, config: SshTunnelConfig): string {
  if (error.level === 'client-timeout') {
    return `no answer to ${config.keepaliveCountMax} keepalives sent ${config.keepaliveIntervalSeconds} s apart (ssh.keepalive_interval, ssh.keepalive_count_max)`;
  }
  return error.message;
}

/** Ends the SSH connection, waiting at most a second for the bastion to acknowledge. */
function endClient(client: Client): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      client.destroy();
      resolve();
    }, 1000);
    client.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    client.end();
  });
}
