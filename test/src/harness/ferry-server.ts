import { join } from 'node:path';
import { execa } from 'execa';
import { REPO_ROOT } from './paths.ts';
import { runFerry } from './workdir.ts';

/** A `ferry serve` process started by startFerryServer. */
export interface FerryServerProcess {
  /** Where it listens, e.g. `http://127.0.0.1:41234` (no trailing slash). */
  readonly url: string;
  /** Everything it wrote to stderr so far (its JSON log lines). */
  stderr(): string;
  /** Everything it wrote to stdout so far (the listening line first). */
  stdout(): string;
  /** The JSON lines it logged to stderr so far (its own and the sync reporter's). */
  logs(): Record<string, unknown>[];
  /** Sends `signal` (SIGTERM by default) and resolves to how it exited; SIGKILL if it has not after 10 s. Safe to call twice. */
  stop(signal?: NodeJS.Signals): Promise<{ exitCode: number | undefined; signal: string | undefined }>;
}

export interface FerryServerOptions {
  readonly configFile: string;
  /** Where the process runs; the repository root by default. */
  readonly cwd?: string;
  /** Added to this process's environment (FERRY_STATE_URL, FERRY_MASTER_KEY...). */
  readonly env?: Record<string, string>;
  /** More `ferry serve` flags, e.g. `['--no-scheduler']` or `['--tick', '1']`. */
  readonly args?: readonly string[];
}

const LISTENING = /^ferry serve listening on (http:\/\/\S+) \(/;
const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 10_000;

/**
 * Starts the built CLI's `ferry serve` on a port the OS picks (`--port 0`) and resolves once it
 * prints where it listens, as a deployment's health check would wait for it. Rejects, with the
 * tail of its stderr, when it exits first or says nothing within 30 s (and kills it then).
 */
export async function startFerryServer(options: FerryServerOptions): Promise<FerryServerProcess> {
  const args = ['serve', '--port', '0', '-c', options.configFile, ...(options.args ?? [])];
  const child = execa('node', [join(REPO_ROOT, 'apps/cli/bin/ferry.js'), ...args], {
    cwd: options.cwd ?? REPO_ROOT,
    ...(options.env ? { env: options.env } : {}),
    stdin: 'ignore',
    // Read as it comes (a server never ends on its own); execa's own kill timer is replaced by stop()'s.
    buffer: false,
    reject: false,
    forceKillAfterDelay: false,
  });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    err += chunk;
  });
  let exited = false;
  const exit = child.then((result) => {
    exited = true;
    return result;
  });
  const tail = () => err.split('\n').slice(-40).join('\n');

  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      done();
      child.kill('SIGKILL');
      reject(
        new Error(
          `ferry serve ${args.join(' ')} printed no listening line within ${START_TIMEOUT_MS / 1000} s.\nstdout:\n${out}\nstderr (tail):\n${tail()}`,
        ),
      );
    }, START_TIMEOUT_MS);
    const onData = () => {
      const match = LISTENING.exec(out.split('\n', 1)[0] ?? '');
      if (match && out.includes('\n')) {
        done();
        resolve(match[1] as string);
      } else if (out.includes('\n')) {
        // The first line is the contract: anything else there means the output changed.
        done();
        child.kill('SIGKILL');
        reject(
          new Error(`ferry serve's first stdout line is not its listening line: ${JSON.stringify(out.split('\n', 1)[0])}\nstderr (tail):\n${tail()}`),
        );
      }
    };
    const done = () => {
      clearTimeout(timer);
      child.stdout.off('data', onData);
    };
    child.stdout.on('data', onData);
    void exit.then((result) => {
      done();
      reject(
        new Error(
          `ferry serve ${args.join(' ')} exited (code ${result.exitCode}, signal ${result.signal}) before listening.\nstderr (tail):\n${tail()}`,
        ),
      );
    });
  });

  let stopped: Promise<{ exitCode: number | undefined; signal: string | undefined }> | undefined;
  return {
    url: url.replace(/\/$/, ''),
    stderr: () => err,
    stdout: () => out,
    logs: () =>
      err
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as Record<string, unknown>),
    stop(signal = 'SIGTERM') {
      stopped ??= (async () => {
        if (!exited) child.kill(signal);
        const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
        try {
          const result = await exit;
          return { exitCode: result.exitCode, signal: result.signal };
        } finally {
          clearTimeout(timer);
        }
      })();
      return stopped;
    },
  };
}

/** What a control-plane test starts its servers with. */
export interface ControlPlaneCredentials {
  /** A new master key (`ferry keys generate`): it seals the credentials the API and the pages are given. */
  readonly masterKey: string;
  /** FERRY_STATE_URL and FERRY_MASTER_KEY, for the server and every CLI command of the test. */
  readonly env: Record<string, string>;
  /** An API key from `ferry api-keys create <keyName>`, as it printed it. */
  readonly apiKey: string;
  /** What `ferry api-keys create` wrote to stderr (its notice: never the key). */
  readonly createdNotice: string;
}

/**
 * A master key and an API key made through the real CLI, on the state store at `stateUrl`.
 * Throws, with the command's stderr, when either command fails.
 */
export async function controlPlaneCredentials(
  configFile: string,
  cwd: string,
  stateUrl: string,
  keyName = 'tests',
): Promise<ControlPlaneCredentials> {
  const generated = await runFerry(['keys', 'generate']);
  if (generated.exitCode !== 0) throw new Error(`ferry keys generate failed: ${generated.stderr}`);
  const masterKey = generated.stdout.trim();
  const env = { FERRY_STATE_URL: stateUrl, FERRY_MASTER_KEY: masterKey };
  const created = await runFerry(['api-keys', 'create', keyName, '-c', configFile], { cwd, env });
  if (created.exitCode !== 0) throw new Error(`ferry api-keys create failed: ${created.stderr}`);
  return { masterKey, env, apiKey: created.stdout.trim(), createdNotice: created.stderr };
}
