import { readFile, stat } from 'node:fs/promises';
import { SshTunnel, type ForwardTarget, type SshTunnelConfig } from '@ferry/connections';
import { destinationModule, type Via } from '@ferry/destinations';
import { sourceModule } from '@ferry/sources';
import type { DestinationConfigEntry, SourceConfigEntry, SshTunnelEntry } from '../config/schema.ts';
import { registerSecret } from '../output/redact.ts';

/**
 * The SSH bastion a destination goes through, and where the bastion forwards to (the address
 * its module reads from the entry); undefined for a destination reached directly.
 */
export function destinationTunnel(entry: DestinationConfigEntry): { readonly ssh: SshTunnelEntry; readonly target: ForwardTarget } | undefined {
  const { ssh } = entry;
  if (ssh === undefined) return undefined;
  const address = destinationModule(entry.type).address(entry);
  // ferry.yaml accepts `ssh` only for modules reached over the network (reach.sshTunnel).
  if (address.kind !== 'network') throw new Error(`destination "${entry.id}": ${entry.type} is not reached over the network, so it cannot use ssh`);
  return { ssh, target: { host: address.host, port: address.port } };
}

/** The SSH bastion the source goes through, and where it forwards to; undefined for a source reached directly. */
export function sourceTunnelRoute(entry: SourceConfigEntry): { readonly ssh: SshTunnelEntry; readonly target: ForwardTarget } | undefined {
  const address = sourceModule(entry.type).address(entry);
  if (entry.ssh === undefined || address === undefined) return undefined;
  return { ssh: entry.ssh, target: { host: address.host, port: address.port } };
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
