import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';
import { freePort, logTail, readFrom } from './server-process.ts';

/** A real OpenSSH server on loopback, for SSH-tunnel tests: a bastion that can be cut, stopped and restarted. */
export interface TestSshServer {
  readonly host: string;
  /** A free loopback port, chosen at start and kept across stop() and restart(). */
  readonly port: number;
  /** A system account of this server's own that may log in by key or by password (no shell: tunnels only). */
  readonly user: string;
  /** Random per server, for password auth. */
  readonly password: string;
  /** OpenSSH-format ed25519 private key authorised for `user`, encrypted with `passphrase`. */
  readonly privateKey: string;
  /** The same key in a file, mode 0600. */
  readonly privateKeyPath: string;
  readonly passphrase: string;
  /** An unencrypted key that is not in authorized_keys, for "wrong key" tests. */
  readonly unauthorisedPrivateKey: string;
  /** The server's host key fingerprint exactly as `ssh-keygen -lf` prints it: 'SHA256:<base64 without padding>'. */
  readonly hostKeyFingerprint: string;
  /** sshd's own log (LogLevel VERBOSE), appended across restarts: what a failing test should show. */
  readonly logPath: string;
  /** Kills every established SSH connection (all per-connection sshd processes) with SIGKILL, leaving the listener up: a tunnel cut in the middle of a transfer. */
  cutConnections(): Promise<void>;
  /** Stops the listener and every connection; the port then refuses connections (a bastion that is down). Idempotent. */
  stop(): Promise<void>;
  /** Starts it again on the same port with the same keys and user (stopping it first if it runs). */
  restart(): Promise<void>;
  /** Stops it for good: deletes its user and its files. Idempotent. */
  close(): Promise<void>;
}

const SSHD = '/usr/sbin/sshd';
const SSH_KEYGEN = '/usr/bin/ssh-keygen';
const SETPRIV = '/usr/bin/setpriv';
const HOST = '127.0.0.1';
/** sshd starts in tens of milliseconds; this only bounds a hang. */
const START_TIMEOUT_MS = 15_000;
const STOP_TIMEOUT_MS = 10_000;

/**
 * Starts OpenSSH's sshd on a free loopback port with a config, host key and user of its own, and
 * resolves once it listens. Needs root (to add the user, whose password sshd checks in
 * /etc/shadow). A missing sshd fails the caller, never skips it: scripts/ensure-services.sh
 * installs it. Call close() when done; what a killed test process leaves is removed by the next start.
 */
export async function startTestSshServer(): Promise<TestSshServer> {
  if (!existsSync(SSHD) || !existsSync(SSH_KEYGEN)) {
    throw new Error(`openssh-server is not installed: run scripts/ensure-services.sh (npm test runs it); ${SSHD} or ${SSH_KEYGEN} is missing`);
  }
  if (process.getuid?.() !== 0) throw new Error('the SSH test server needs root: it adds a system user and starts sshd');
  // sshd's privilege-separation directory lives on /run, which a reboot empties.
  await mkdir('/run/sshd', { recursive: true, mode: 0o755 });

  await removeLeftovers();

  const dir = await mkdtemp(join(tmpdir(), `${DIR_PREFIX}${process.pid}-`));
  const user = `${USER_PREFIX}${process.pid}_${randomBytes(4).toString('hex')}`;
  const password = randomBytes(12).toString('hex');
  const passphrase = randomBytes(12).toString('hex');
  const logPath = join(dir, 'sshd.log');
  const privateKeyPath = join(dir, 'user_ed25519');
  let port = 0;
  let listener: ChildProcess | undefined;
  let userAdded = false;
  let closed = false;
  const dispose = async () => {
    if (userAdded) await retryOnLock(['userdel', user]);
    userAdded = false;
    await rm(dir, { recursive: true, force: true });
  };
  let keys: Keys;
  try {
    keys = await createKeys(dir, privateKeyPath, passphrase);
    // No home and no shell: a tunnel opens direct-tcpip channels only. useradd leaves the account
    // locked ('!'), and sshd refuses a locked account even a key login, so the password comes first.
    await retryOnLock(['useradd', '-M', '-s', '/usr/sbin/nologin', user]);
    userAdded = true;
    await retryOnLock(['chpasswd'], `${user}:${password}\n`);
    for (let attempt = 1; listener === undefined; attempt++) {
      port = await freePort();
      listener = await launch(dir, user, port);
      if (listener === undefined && attempt === 5) throw new Error(`sshd found no free port in ${attempt} attempts:\n${await logTail(logPath)}`);
    }
  } catch (error) {
    await dispose();
    throw error;
  }

  const stop = async () => {
    const child = listener;
    listener = undefined;
    if (child?.pid === undefined) return;
    const exited = child.exitCode === null && child.signalCode === null ? new Promise((resolve) => child.once('exit', resolve)) : undefined;
    await killTree(child.pid, { keepRoot: false });
    await exited;
    await waitUntil(
      async () => !(await accepts(port)),
      STOP_TIMEOUT_MS,
      () => `port ${port} still accepts connections after sshd was stopped`,
    );
  };

  return {
    host: HOST,
    port,
    user,
    password,
    privateKeyPath,
    passphrase,
    ...keys,
    logPath,
    async cutConnections() {
      if (listener?.pid !== undefined) await killTree(listener.pid, { keepRoot: true });
    },
    stop,
    async restart() {
      await stop();
      listener = await launch(dir, user, port);
      if (listener === undefined) throw new Error(`sshd cannot listen on port ${port} again: another process took it:\n${await logTail(logPath)}`);
    },
    async close() {
      if (closed) return;
      closed = true;
      await stop();
      await dispose();
    },
  };
}

/** Users and temp dirs carry their test process's pid, so leftovers of dead processes can be told apart. */
const USER_PREFIX = 'ferrytun_';
const DIR_PREFIX = 'ferry-sshd-';

/**
 * Removes the users and temp dirs of test processes that died without close(): vitest ends its
 * workers with SIGTERM, which runs no exit hook, and a user would stay in /etc/passwd for good.
 * Their sshd died with them (see launch). Best effort: a parallel start may remove one first.
 */
async function removeLeftovers(): Promise<void> {
  const ownerIsDead = (name: string, prefix: string) => {
    const owner = name.startsWith(prefix) ? /^\d+/.exec(name.slice(prefix.length))?.[0] : undefined;
    return owner !== undefined && procStat(Number(owner)) === undefined;
  };
  const users = (await readFile('/etc/passwd', 'utf8')).split('\n').map((line) => line.split(':')[0]!);
  for (const user of users.filter((name) => ownerIsDead(name, USER_PREFIX))) {
    await retryOnLock(['userdel', user]).catch(() => undefined);
  }
  for (const name of (await readdir(tmpdir())).filter((entry) => ownerIsDead(entry, DIR_PREFIX))) {
    await rm(join(tmpdir(), name), { recursive: true, force: true });
  }
}

type Keys = Pick<TestSshServer, 'privateKey' | 'unauthorisedPrivateKey' | 'hostKeyFingerprint'>;

/** The host key, the user's key (authorised, at `privateKeyPath`) and a key that is not authorised, in `dir`. */
async function createKeys(dir: string, privateKeyPath: string, passphrase: string): Promise<Keys> {
  const hostKey = join(dir, 'host_ed25519');
  const unauthorisedKey = join(dir, 'unauthorised_ed25519');
  await Promise.all([generateKey(hostKey, ''), generateKey(privateKeyPath, passphrase), generateKey(unauthorisedKey, '')]);
  const authorizedKeys = join(dir, 'authorized_keys');
  await writeFile(authorizedKeys, await readFile(`${privateKeyPath}.pub`));
  // sshd reads authorized_keys as the user, who must be able to reach it; the private keys stay 0600.
  await chmod(dir, 0o755);
  await chmod(authorizedKeys, 0o644);
  const [privateKey, unauthorisedPrivateKey, fingerprint] = await Promise.all([
    readFile(privateKeyPath, 'utf8'),
    readFile(unauthorisedKey, 'utf8'),
    execa(SSH_KEYGEN, ['-lf', `${hostKey}.pub`]),
  ]);
  // "256 SHA256:<base64> ferry-test (ED25519)"
  return { privateKey, unauthorisedPrivateKey, hostKeyFingerprint: fingerprint.stdout.split(' ')[1]! };
}

/**
 * An ed25519 key in OpenSSH's format, encrypted unless `passphrase` is ''. Two bcrypt rounds
 * instead of ssh-keygen's 16: ssh2 derives the key in JavaScript on every connect (about 0.8 s
 * at 16 rounds), and the format and cipher are the same whatever the count.
 */
async function generateKey(path: string, passphrase: string): Promise<void> {
  await execa(SSH_KEYGEN, ['-q', '-t', 'ed25519', '-a', '2', '-N', passphrase, '-C', 'ferry-test', '-f', path]);
}

/** Runs a command that edits /etc/passwd or /etc/shadow, retrying while a parallel test file holds their lock. */
async function retryOnLock([command, ...args]: [string, ...string[]], input?: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    const result = await execa(command, args, { reject: false, ...(input === undefined ? {} : { input }) });
    if (result.exitCode === 0) return;
    if (!/lock/i.test(result.stderr) || attempt === 50) {
      throw new Error(`${command} ${args.join(' ')} failed (exit ${result.exitCode}): ${result.stderr}`);
    }
    await sleep(50 + Math.random() * 100);
  }
}

function sshdConfig(dir: string, user: string, port: number): string {
  return [
    `ListenAddress ${HOST}`,
    `Port ${port}`,
    `HostKey ${join(dir, 'host_ed25519')}`,
    `PidFile ${join(dir, 'sshd.pid')}`,
    `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
    'StrictModes no',
    'PasswordAuthentication yes',
    'KbdInteractiveAuthentication no',
    'UsePAM no',
    'PermitRootLogin no',
    'AllowTcpForwarding yes',
    `AllowUsers ${user}`,
    'LogLevel VERBOSE',
    '',
  ].join('\n');
}

/**
 * Runs sshd on `port` and resolves once its log says it listens (only this sshd writes that log,
 * so a port another process took meanwhile cannot pass for it). Resolves `undefined` when the
 * port was taken.
 */
async function launch(dir: string, user: string, port: number): Promise<ChildProcess | undefined> {
  const configPath = join(dir, 'sshd_config');
  const logPath = join(dir, 'sshd.log');
  await writeFile(configPath, sshdConfig(dir, user, port));
  // The log is appended to across restarts: read only what this start writes.
  const from = await stat(logPath).then(
    (s) => s.size,
    () => 0,
  );
  // setpriv makes the kernel kill sshd when the test process dies, however it dies: an orphaned
  // sshd would keep the port and the user. Connections end on their own once their client is gone.
  const child = spawn(SETPRIV, ['--pdeathsig', 'KILL', '--', SSHD, '-D', '-f', configPath, '-E', logPath], { stdio: 'ignore' });
  let ended: string | undefined;
  child.once('error', (error) => (ended = error.message));
  child.once('exit', (code, signal) => (ended = `exit ${code ?? signal}`));
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    const log = await readFrom(logPath, from);
    if (log.includes(`Server listening on ${HOST} port ${port}.`)) return child;
    if (ended !== undefined) {
      if (log.includes('Address already in use')) return undefined;
      throw new Error(`sshd failed to start (${ended}):\n${log}`);
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`sshd did not listen on port ${port} within ${START_TIMEOUT_MS / 1000} s:\n${log}`);
    }
    await sleep(10);
  }
}

/** Whether a TCP connection to the port is accepted (false once it is refused). */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, HOST);
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

/**
 * SIGKILLs every descendant of `root`, and `root` too unless `keepRoot`. The tree is frozen with
 * SIGSTOP first, top down: a connection's sshd forks as it authenticates, and a child forked
 * after the tree was read would outlive its killed parent, holding the connection open.
 */
async function killTree(root: number, { keepRoot }: { keepRoot: boolean }): Promise<void> {
  const frozen = new Set<number>();
  for (let fresh = [root]; fresh.length > 0; fresh = descendantsOf(root).filter((pid) => !frozen.has(pid))) {
    for (const pid of fresh) {
      signal(pid, 'SIGSTOP');
      frozen.add(pid);
    }
    await waitUntil(
      () => fresh.every(hasStopped),
      STOP_TIMEOUT_MS,
      () => `sshd processes ${fresh.join(', ')} did not stop`,
    );
  }
  const victims = [...frozen].filter((pid) => !keepRoot || pid !== root);
  for (const pid of victims) signal(pid, 'SIGKILL');
  if (keepRoot) signal(root, 'SIGCONT');
  await waitUntil(
    () => victims.every(hasEnded),
    STOP_TIMEOUT_MS,
    () => `sshd processes ${victims.join(', ')} did not die`,
  );
}

/**
 * Every process below `root`, read from /proc: sshd's per-connection processes (`sshd: user
 * [priv]` and its unprivileged child) are found only through their ancestry.
 */
function descendantsOf(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const ppid = procStat(Number(name))?.ppid;
    if (ppid !== undefined) children.set(ppid, [...(children.get(ppid) ?? []), Number(name)]);
  }
  const found: number[] = [];
  for (let queue = [root]; queue.length > 0; ) {
    const next = children.get(queue.shift()!) ?? [];
    found.push(...next);
    queue.push(...next);
  }
  return found;
}

/** A process's state and parent, or undefined once it is gone. */
function procStat(pid: number): { state: string; ppid: number } | undefined {
  let line: string;
  try {
    line = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so fields start after the last ')'.
  const [state, ppid] = line.slice(line.lastIndexOf(')') + 2).split(' ');
  return { state: state!, ppid: Number(ppid) };
}

/** Whether a process has ended: gone, or a zombie, which has closed its sockets already. */
function hasEnded(pid: number): boolean {
  const state = procStat(pid)?.state;
  return state === undefined || state === 'Z' || state === 'X';
}

/** Whether a process has ended or is stopped (SIGSTOP), so it can fork no more. */
function hasStopped(pid: number): boolean {
  const state = procStat(pid)?.state;
  return state === undefined || 'ZXTt'.includes(state);
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

async function waitUntil(condition: () => boolean | Promise<boolean>, timeoutMs: number, failure: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(failure());
    await sleep(10);
  }
}
