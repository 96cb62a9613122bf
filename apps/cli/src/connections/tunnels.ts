import { readFile, stat } from 'node:fs/promises';
import { SshTunnel, type ForwardTarget, type SshTunnelConfig } from '@ferry/connections';
import type { SshTunnelEntry } from '../config/schema.ts';
import type { Via } from '../config/destination-config.ts';
import { registerSecret } from '../output/redact.ts';

/** The warehouse's host and port in its postgres:// URL: where the bastion forwards to. */
export function forwardTargetOf(url: string, defaultPort: number): ForwardTarget {
  const parsed = new URL(url);
  return { host: decodeURIComponent(parsed.hostname).replace(/^\[(.*)\]$/, '$1'), port: Number(parsed.port || defaultPort) };
}

/**
 * Opens an SSH tunnel for a ferry.yaml `ssh` block to `target`: reads the private key file
 * (refusing one other users can read, as ssh does), connects to the bastion and listens on an
 * ephemeral loopback port. Returns the tunnel (to close, and to ask why it failed) and its
 * local end.
 */
export async function openSshTunnel(entry: SshTunnelEntry, target: ForwardTarget): Promise<{ tunnel: SshTunnel; via: Via }> {
  const tunnel = new SshTunnel(await sshTunnelConfig(entry), target);
  const local = await tunnel.open();
  return { tunnel, via: { ...local, through: tunnel.bastion } };
}

async function sshTunnelConfig(entry: SshTunnelEntry): Promise<SshTunnelConfig> {
  const privateKey = entry.private_key_file === undefined ? entry.private_key : await readPrivateKey(entry.private_key_file);
  if (privateKey !== undefined) registerSecret(privateKey);
  return {
    host: entry.host,
    port: entry.port,
    user: entry.user,
    hostKey: entry.host_key,
    keepaliveIntervalSeconds: entry.keepalive_interval,
    keepaliveCountMax: entry.keepalive_count_max,
    connectTimeoutSeconds: entry.connect_timeout,
    ...(privateKey !== undefined ? { privateKey } : {}),
    ...(entry.passphrase !== undefined ? { passphrase: entry.passphrase } : {}),
    ...(entry.password !== undefined ? { password: entry.password } : {}),
  };
}

async function readPrivateKey(path: string): Promise<string> {
  let mode: number;
  try {
    mode = (await stat(path)).mode;
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    throw new Error(`cannot read ssh.private_key_file ${path} (${reason}): give the path of the private key, relative to ferry.yaml`);
  }
  if ((mode & 0o077) !== 0) {
    throw new Error(
      `ssh.private_key_file ${path} can be read by other users (mode ${(mode & 0o777).toString(8)}): run \`chmod 600 ${path}\`, ` +
        'or store the key with `ferry secrets set` and write private_key: ${secret:name}',
    );
  }
  return readFile(path, 'utf8');
}
