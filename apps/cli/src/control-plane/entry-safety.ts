import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { destinationModule, type DestinationType } from '@ferry/destinations';
import { SECRET_FIELDS } from '../config/schema.ts';

/**
 * What a destination entry given through the API or a magic link may not hold, since its author
 * is not the vendor's git history: what would make Ferry read a file on its own machine, reach a
 * place the entry does not name, or fill in a secret that is not the entry's own.
 */

/**
 * The query parameters a stored url may carry. Others can make the driver read files on Ferry's
 * machine (sslcert, sslkey, sslrootcert), connect to a local socket (host) or carry a password.
 */
const URL_PARAMETERS = new Set(['sslmode']);

/** Problems with an entry as given (credentials in clear), each naming the field and the fix. */
export function entryInputProblems(entry: Readonly<Record<string, unknown>>): string[] {
  const problems: string[] = [];
  const ssh = entry.ssh as Record<string, unknown> | undefined;
  const fields: [string, unknown][] = [
    ...Object.entries(entry).filter(([key]) => key !== 'ssh'),
    ...Object.entries(ssh ?? {}).map(([key, value]): [string, unknown] => [`ssh.${key}`, value]),
  ];
  for (const [path, value] of fields) {
    const field = path.replace(/^ssh\./, '');
    // A credential is sealed as typed, so `${` in it is just text; anywhere else Ferry would fill in a secret.
    if (typeof value === 'string' && value.includes('${') && !SECRET_FIELDS.includes(field)) {
      problems.push(`${path}: "\${" is not allowed here: write the value itself (Ferry seals the credentials it is given)`);
    }
  }
  if (ssh?.private_key_file !== undefined) problems.push("ssh.private_key_file: a file on Ferry's machine: give the key itself in ssh.private_key");
  if (typeof entry.url === 'string') problems.push(...urlProblems(entry.url));
  return problems;
}

function urlProblems(text: string): string[] {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return []; // the schema says what is wrong with it
  }
  const problems = [...new Set(url.searchParams.keys())]
    .filter((name) => !URL_PARAMETERS.has(name))
    .map((name) => `url: the parameter "${name}" is not allowed (only ${[...URL_PARAMETERS].join(', ')}): leave it out`);
  if (decodeURIComponent(url.hostname).includes('/')) problems.push('url: name a host and port, not a socket path');
  return problems;
}

/**
 * Problems with a stored entry: a `${secret:…}` anywhere but where Ferry wrote one when sealing
 * this destination's own credentials (a state store edited by hand, or written by an older bug).
 */
export function storedReferenceProblems(id: string, entry: Readonly<Record<string, unknown>>): string[] {
  const problems: string[] = [];
  const check = (path: readonly string[], value: unknown) => {
    if (typeof value !== 'string' || !value.includes('${')) return;
    const own = `\${secret:destination.${id}.${path.join('.')}}`;
    if (!SECRET_FIELDS.includes(path.at(-1) as string) || value !== own) {
      problems.push(`${path.join('.')}: holds a reference that is not this destination's own sealed credential: set the field again through the API`);
    }
  };
  for (const [key, value] of Object.entries(entry)) {
    if (key === 'ssh' && value !== null && typeof value === 'object') {
      for (const [field, inner] of Object.entries(value)) check(['ssh', field], inner);
    } else {
      check([key], value);
    }
  }
  return problems;
}

/** Loopback, private, link-local, shared (CGNAT), unspecified and multicast ranges, IPv4 and IPv6. */
const NOT_PUBLIC = (() => {
  const list = new BlockList();
  for (const [network, prefix] of [
    ['0.0.0.0', 8],
    ['10.0.0.0', 8],
    ['100.64.0.0', 10],
    ['127.0.0.0', 8],
    ['169.254.0.0', 16],
    ['172.16.0.0', 12],
    ['192.168.0.0', 16],
    ['224.0.0.0', 3],
  ] as const) {
    list.addSubnet(network, prefix, 'ipv4');
  }
  for (const [network, prefix] of [
    ['::', 127],
    ['fc00::', 7],
    ['fe80::', 10],
    ['ff00::', 8],
    ['::ffff:0:0', 96],
  ] as const) {
    list.addSubnet(network, prefix, 'ipv6');
  }
  return list;
})();

/**
 * Where Ferry itself would connect for this entry (its SSH bastion, else the warehouse), when
 * that is not a public address: a magic link's author must not make Ferry probe the vendor's own
 * network. A warehouse behind a bastion may have any address: the bastion, on the customer's
 * network, is what reaches it. Undefined when the address is public (or is no network address).
 */
export async function privateAddressProblem(type: DestinationType, entry: Readonly<Record<string, unknown>>): Promise<string | undefined> {
  const ssh = entry.ssh as { host?: string } | undefined;
  let host: string;
  let what: string;
  if (ssh?.host) {
    host = ssh.host;
    what = 'ssh.host';
  } else {
    const address = destinationModule(type).address(entry as never);
    if (address.kind !== 'network') return undefined;
    host = address.host;
    what = 'the warehouse';
  }
  if (!isIP(host) && !/^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$/.test(host)) return `${what}: "${host}" is not a host name`;
  const addresses = isIP(host) ? [{ address: host, family: isIP(host) }] : await lookup(host, { all: true }).catch(() => []);
  const blocked = addresses.find(({ address, family }) => NOT_PUBLIC.check(address, family === 6 ? 'ipv6' : 'ipv4'));
  if (!blocked) return undefined;
  return `${what}: ${host} is not a public address (${blocked.address}): give the public address Ferry can reach, or reach the warehouse through an SSH bastion`;
}
