/**
 * How to reach a warehouse through an SSH bastion. Give `privateKey` (with `passphrase` when it
 * is encrypted) or `password`.
 * @example
 * { host: 'bastion.acme.com', port: 22, user: 'ferry', privateKey: '-----BEGIN OPENSSH PRIVATE KEY-----…',
 *   hostKey: 'SHA256:2cA1Qx4R7b0…', keepaliveIntervalSeconds: 15, keepaliveCountMax: 3, connectTimeoutSeconds: 30 }
 */
export interface SshTunnelConfig {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  /** The private key's text (OpenSSH or PEM format). */
  readonly privateKey?: string;
  readonly passphrase?: string;
  readonly password?: string;
  /**
   * The bastion's host key fingerprint as `ssh-keygen -lf` prints it (`SHA256:…`). Required: a
   * tunnel that trusts any host key hands the warehouse credentials to whoever answers.
   */
  readonly hostKey: string;
  /** Seconds between keepalives on an idle connection; a bastion that misses `keepaliveCountMax` in a row is dead. */
  readonly keepaliveIntervalSeconds: number;
  readonly keepaliveCountMax: number;
  /** How long the TCP connect plus SSH handshake and authentication may take. */
  readonly connectTimeoutSeconds: number;
}

/** Where the bastion forwards to: the warehouse's host and port as the bastion sees them. */
export interface ForwardTarget {
  readonly host: string;
  readonly port: number;
}

export const SSH_DEFAULTS = { port: 22, keepaliveIntervalSeconds: 15, keepaliveCountMax: 3, connectTimeoutSeconds: 30 } as const;
