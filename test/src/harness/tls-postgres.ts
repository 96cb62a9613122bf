import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { chmod, chown, mkdtemp, open, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';
import { freePort, logTail, readFrom } from './server-process.ts';

/**
 * A Postgres of its own that speaks TLS only, for tests of verified TLS connections: the machine's
 * shared Postgres (port 5432) has no TLS, and must keep it that way for every other test.
 */
export interface TlsPostgres {
  /** A free loopback port, chosen at start. The server listens on 127.0.0.1 only. */
  readonly port: number;
  /** postgres://postgres@localhost:<port>/postgres?sslmode=verify-full&sslrootcert=<caPath> */
  readonly url: string;
  /** The CA certificate (PEM file) that signed the server certificate. */
  readonly caPath: string;
  /** Stops the server and removes its files. Idempotent. */
  close(): Promise<void>;
}

const POSTGRES_LIB = '/usr/lib/postgresql';
const OPENSSL = '/usr/bin/openssl';
const SETPRIV = '/usr/bin/setpriv';
const IPCRM = '/usr/bin/ipcrm';
const HOST = '127.0.0.1';
/**
 * The only name in the server certificate (no IP address in it): a client that connects to
 * 127.0.0.1 but verifies this name passes, one that verifies 127.0.0.1 fails, as tests require.
 */
const SERVER_NAME = 'localhost';
/** The system account the server runs as when the tests run as root: initdb and postgres refuse root. */
const SERVER_USER = 'postgres';
/** Postgres is ready in well under a second after initdb; this only bounds a hang. */
const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 10_000;

/**
 * Creates a database cluster with initdb, a CA and a server certificate for `localhost` signed by
 * it, and starts postgres on a free loopback port with TLS on and pg_hba.conf allowing TLS
 * connections only; resolves once it accepts connections. The postgres binaries are the newest
 * under /usr/lib/postgresql: those of the machine's own PostgreSQL. A missing binary fails the
 * caller, in CI or not, never skips it: a skipped TLS test would pass with TLS untested. Call
 * close() when done; what a killed test process leaves is removed by the next start.
 */
export async function startTlsPostgres(): Promise<TlsPostgres> {
  const bin = postgresBin();
  if (!existsSync(OPENSSL)) throw new Error(`openssl is not installed (${OPENSSL} is missing): the TLS Postgres needs it to issue its certificates`);
  if (!existsSync(SETPRIV))
    throw new Error(`setpriv is not installed (${SETPRIV} is missing, from util-linux): the TLS Postgres needs it to run postgres`);
  const owner = serverOwner();

  await removeLeftovers();

  const dir = await mkdtemp(join(tmpdir(), `${DIR_PREFIX}${process.pid}-`));
  const caPath = join(dir, 'ca.crt');
  const logPath = join(dir, 'postgres.log');
  let port = 0;
  let server: ChildProcess | undefined;
  let closed = false;
  const dispose = () => rm(dir, { recursive: true, force: true });
  try {
    // Still 0700 (mkdtemp), but the server's user's: it creates the data directory, keys and socket in it.
    if (owner !== undefined) await chown(dir, owner.uid, owner.gid);
    // Both settled before a failure is thrown: dispose() must not race one still writing into `dir`.
    const prepared = await Promise.allSettled([createCertificates(dir, owner), initdb(bin, dir, owner)]);
    for (const result of prepared) if (result.status === 'rejected') throw result.reason;
    await writeFile(join(dir, 'pg_hba.conf'), HBA);
    for (let attempt = 1; server === undefined; attempt++) {
      port = await freePort();
      server = await launch(bin, dir, port, owner);
      if (server === undefined && attempt === 5) throw new Error(`postgres found no free port in ${attempt} attempts:\n${await logTail(logPath)}`);
    }
  } catch (error) {
    await dispose();
    throw error;
  }

  const stop = async () => {
    const child = server;
    server = undefined;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    // Immediate shutdown: the data is thrown away, so no shutdown checkpoint is worth waiting for,
    // yet postmaster still ends its sessions and removes its shared memory and socket files.
    child.kill('SIGQUIT');
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    try {
      await exited;
    } finally {
      clearTimeout(timer);
    }
  };

  return {
    port,
    url: `postgres://postgres@${SERVER_NAME}:${port}/postgres?sslmode=verify-full&sslrootcert=${encodeURIComponent(caPath)}`,
    caPath,
    async close() {
      if (closed) return;
      closed = true;
      await stop();
      await dispose();
    },
  };
}

/** Temp dirs carry their test process's pid, so leftovers of dead processes can be told apart. */
const DIR_PREFIX = 'ferry-tls-postgres-';

/**
 * Only TLS connections over TCP (`hostssl`): a plain one finds no entry and is refused (28000).
 * The Unix socket, in the temp dir, is trusted for whoever debugs a running test with psql.
 */
const HBA = ['local all all trust', `hostssl all all ${HOST}/32 trust`, ''].join('\n');

/** The bin directory of the newest PostgreSQL under /usr/lib/postgresql (like `ls | sort -V | tail -1`), checked for the binaries used. */
function postgresBin(): string {
  const versions = existsSync(POSTGRES_LIB) ? readdirSync(POSTGRES_LIB).filter((name) => /^\d+(\.\d+)?$/.test(name)) : [];
  const newest = versions.sort((a, b) => Number(a) - Number(b)).at(-1);
  const bin = newest === undefined ? undefined : join(POSTGRES_LIB, newest, 'bin');
  const missing =
    bin === undefined ? [join(POSTGRES_LIB, '<version>', 'bin')] : [join(bin, 'initdb'), join(bin, 'postgres')].filter((path) => !existsSync(path));
  if (missing.length > 0) {
    throw new Error(
      `PostgreSQL's server binaries are not installed (${missing.join(', ')} missing): the TLS Postgres runs a server of its own ` +
        "from the machine's PostgreSQL installation (the postgresql package, which also runs the shared server on port 5432)",
    );
  }
  return bin!;
}

interface Owner {
  readonly uid: number;
  readonly gid: number;
}

/**
 * Who the server runs as: the postgres system user when the tests run as root, whom initdb and
 * postgres refuse; `undefined` (the test process's own user) otherwise.
 */
function serverOwner(): Owner | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const entry = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .map((line) => line.split(':'))
    .find(([name]) => name === SERVER_USER);
  if (entry === undefined) {
    throw new Error(`there is no '${SERVER_USER}' system user: the TLS Postgres must run as it, since initdb and postgres refuse to run as root`);
  }
  return { uid: Number(entry[2]), gid: Number(entry[3]) };
}

/** setpriv's options that run a command as `owner` (none for the test process's own user). */
function asOwner(owner: Owner | undefined): string[] {
  return owner === undefined ? [] : ['--reuid', SERVER_USER, '--regid', SERVER_USER, '--init-groups'];
}

/** Runs a short-lived command as the server's user in `dir`, so what it creates is that user's. */
async function runAsOwner(owner: Owner | undefined, dir: string, what: string, [command, ...args]: [string, ...string[]]): Promise<void> {
  const result = await execa(SETPRIV, [...asOwner(owner), '--', command, ...args], { cwd: dir, reject: false, stdin: 'ignore' });
  if (result.exitCode !== 0) {
    throw new Error(
      `${what} failed (${result.exitCode === undefined ? result.signal : `exit ${result.exitCode}`}): ${command} ${args.join(' ')}\n${result.stderr}\n${result.stdout}`.trimEnd(),
    );
  }
}

/**
 * Removes the temp dirs of test processes that died without close(): vitest ends its workers with
 * SIGTERM, which runs no exit hook. Their postgres died with them (see launch), but a killed
 * postmaster leaves its System V shared memory segment behind, which is removed too. Best effort:
 * a parallel start may remove one first.
 */
async function removeLeftovers(): Promise<void> {
  const ownerIsDead = (name: string) => {
    const owner = name.startsWith(DIR_PREFIX) ? /^\d+/.exec(name.slice(DIR_PREFIX.length))?.[0] : undefined;
    return owner !== undefined && !existsSync(`/proc/${owner}`);
  };
  for (const name of (await readdir(tmpdir())).filter(ownerIsDead)) {
    const dir = join(tmpdir(), name);
    await removeSharedMemory(join(dir, 'data', 'postmaster.pid')).catch(() => undefined);
    await rm(dir, { recursive: true, force: true }).catch(() => undefined);
  }
}

/**
 * Removes the shared memory segment that a dead postmaster's postmaster.pid names (its 7th line:
 * key and id), provided a segment with that key and id exists still and nobody is attached: an id
 * alone may have been reused by another segment since. The dynamic shared memory needs no such
 * care: it lives in the data directory (see launch).
 */
async function removeSharedMemory(pidFile: string): Promise<void> {
  const [key, id] = ((await readFile(pidFile, 'utf8')).split('\n')[6] ?? '').trim().split(/\s+/);
  if (key === undefined || id === undefined || !/^\d+$/.test(id)) return;
  // "key shmid perms size cpid lpid nattch ...", one segment a line after the header.
  const segment = (await readFile('/proc/sysvipc/shm', 'utf8'))
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .find((fields) => fields[0] === key && fields[1] === id);
  if (segment !== undefined && segment[6] === '0') await execa(IPCRM, ['-m', id]);
}

/**
 * A CA, and a server certificate signed by it for `localhost` only (CN and the one DNS name in
 * subjectAltName), with their keys, in `dir`. P-256 keys: generated in milliseconds where RSA
 * takes a noticeable part of a second, and every TLS client supports them.
 */
async function createCertificates(dir: string, owner: Owner | undefined): Promise<void> {
  const config = join(dir, 'openssl.cnf');
  await writeFile(config, OPENSSL_CONFIG);
  const newKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-noenc'];
  const run = (what: string, args: string[]) => runAsOwner(owner, dir, what, [OPENSSL, ...args]);
  await run('creating the test CA', [
    'req',
    '-x509',
    '-config',
    config,
    '-extensions',
    'ca',
    ...newKey,
    '-keyout',
    'ca.key',
    '-out',
    'ca.crt',
    '-days',
    '7',
    '-subj',
    '/CN=Ferry test CA',
  ]);
  await run('creating the server key', [
    'req',
    '-new',
    '-config',
    config,
    ...newKey,
    '-keyout',
    'server.key',
    '-out',
    'server.csr',
    '-subj',
    `/CN=${SERVER_NAME}`,
  ]);
  await run('signing the server certificate', [
    'x509',
    '-req',
    '-in',
    'server.csr',
    '-CA',
    'ca.crt',
    '-CAkey',
    'ca.key',
    '-set_serial',
    `0x${randomBytes(8).toString('hex')}`,
    '-days',
    '7',
    '-extfile',
    config,
    '-extensions',
    'server',
    '-out',
    'server.crt',
  ]);
  // postgres refuses a key file that its owner (itself, here) could share with anybody.
  await chmod(join(dir, 'server.key'), 0o600);
}

/** The extensions spelt out rather than taken from the system's openssl.cnf, which varies between distributions. */
const OPENSSL_CONFIG = [
  '[req]',
  'distinguished_name = dn',
  'prompt = no',
  '[dn]',
  '[ca]',
  'basicConstraints = critical, CA:TRUE',
  'keyUsage = critical, keyCertSign, cRLSign',
  'subjectKeyIdentifier = hash',
  '[server]',
  'basicConstraints = critical, CA:FALSE',
  'keyUsage = critical, digitalSignature',
  'extendedKeyUsage = serverAuth',
  `subjectAltName = DNS:${SERVER_NAME}`,
  'subjectKeyIdentifier = hash',
  'authorityKeyIdentifier = keyid',
  '',
].join('\n');

/** A cluster in `dir`/data whose superuser is postgres, trusted; --no-sync since it is thrown away. */
async function initdb(bin: string, dir: string, owner: Owner | undefined): Promise<void> {
  await runAsOwner(owner, dir, 'initdb', [
    join(bin, 'initdb'),
    '-D',
    join(dir, 'data'),
    '--auth=trust',
    '--username=postgres',
    '-E',
    'UTF8',
    '--locale=C',
    '--no-sync',
    '--no-instructions',
  ]);
}

/**
 * Runs postgres on `port` and resolves once its log says it accepts connections (only this
 * postgres writes that log, so a port another process took meanwhile cannot pass for it).
 * Resolves `undefined` when the port was taken.
 */
async function launch(bin: string, dir: string, port: number, owner: Owner | undefined): Promise<ChildProcess | undefined> {
  const logPath = join(dir, 'postgres.log');
  // The log is appended to across attempts: read only what this start writes.
  const from = await stat(logPath).then(
    (s) => s.size,
    () => 0,
  );
  const log = await open(logPath, 'a');
  const settings = {
    listen_addresses: HOST,
    unix_socket_directories: dir,
    hba_file: join(dir, 'pg_hba.conf'),
    ssl: 'on',
    ssl_cert_file: join(dir, 'server.crt'),
    ssl_key_file: join(dir, 'server.key'),
    fsync: 'off',
    // Files in the data directory instead of /dev/shm, where a killed postmaster's segments would stay.
    dynamic_shared_memory_type: 'mmap',
  };
  // setpriv makes the kernel kill postgres when the test process dies, however it dies (it sets
  // the signal after switching to the server's user, which would clear it): an orphaned postgres
  // would keep the port and its files. Its sessions end on their own once postmaster is gone.
  const args = ['--pdeathsig', 'KILL', ...asOwner(owner), '--', join(bin, 'postgres'), '-D', join(dir, 'data'), '-p', String(port)];
  for (const [name, value] of Object.entries(settings)) args.push('-c', `${name}=${value}`);
  let child: ChildProcess;
  try {
    child = spawn(SETPRIV, args, { cwd: dir, stdio: ['ignore', log.fd, log.fd] });
  } finally {
    // The child has its own copy of the descriptor by now.
    await log.close();
  }
  let ended: string | undefined;
  child.once('error', (error) => (ended = error.message));
  child.once('exit', (code, signal) => (ended = `exit ${code ?? signal}`));
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    const text = await readFrom(logPath, from);
    if (text.includes('database system is ready to accept connections')) return child;
    if (ended !== undefined) {
      if (text.includes('Address already in use')) return undefined;
      throw new Error(`postgres failed to start (${ended}):\n${text}`);
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`postgres did not accept connections on port ${port} within ${START_TIMEOUT_MS / 1000} s:\n${text}`);
    }
    await sleep(10);
  }
}
