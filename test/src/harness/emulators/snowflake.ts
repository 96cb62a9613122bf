import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { createDestination, type SnowflakeDestinationConfig } from '@ferry/destinations';
import { REPO_ROOT } from '../paths.ts';

/** A Snowflake warehouse for tests: real when FERRY_TEST_SNOWFLAKE_* is set, else fakesnow on loopback. */
export interface SnowflakeTestWarehouse {
  /** Whether this is a real Snowflake account rather than the emulator. */
  readonly real: boolean;
  /** A config for a destination in `schema` (made unique per run on a real account). */
  config(id: string, schema: string): SnowflakeDestinationConfig;
  /** Stops the emulator, or on a real account drops the schemas the tests made. */
  dispose(): Promise<void>;
}

const SHIM = join(REPO_ROOT, 'test/emulators/snowflake/fakesnow_json_rowsets_shim.py');
const PYTHON = join(REPO_ROOT, '.venv-emulators/snowflake/bin/python');
/** The database the emulator starts with; tests make their schemas in it. */
const EMULATOR_DATABASE = 'FERRY_TEST';
/** How long the emulator may take to start (importing DuckDB and pyarrow). */
const START_TIMEOUT_MS = 60_000;

/**
 * Opens the Snowflake warehouse the tests run against: the one switch between real Snowflake and
 * the emulator. With FERRY_TEST_SNOWFLAKE_ACCOUNT, _USER, _PASSWORD and _DATABASE (and optionally
 * _WAREHOUSE and _ROLE) the tests run on that account, in schemas named after this run and dropped
 * afterwards; otherwise on fakesnow behind test/emulators/snowflake's shim, started on a free
 * loopback port with a password of its own. A missing emulator fails the tests (never skips them):
 * scripts/setup-venv.sh installs it.
 */
export async function openSnowflakeTestWarehouse(): Promise<SnowflakeTestWarehouse> {
  const env = process.env;
  const account = env.FERRY_TEST_SNOWFLAKE_ACCOUNT;
  if (account) {
    const [user, password, database] = ['USER', 'PASSWORD', 'DATABASE'].map((name) => {
      const value = env[`FERRY_TEST_SNOWFLAKE_${name}`];
      if (!value) throw new Error(`FERRY_TEST_SNOWFLAKE_ACCOUNT is set, so FERRY_TEST_SNOWFLAKE_${name} must be too`);
      return value;
    }) as [string, string, string];
    const run = randomBytes(4).toString('hex');
    const base = {
      type: 'snowflake' as const,
      account,
      user,
      password,
      database,
      ...(env.FERRY_TEST_SNOWFLAKE_WAREHOUSE ? { warehouse: env.FERRY_TEST_SNOWFLAKE_WAREHOUSE } : {}),
      ...(env.FERRY_TEST_SNOWFLAKE_ROLE ? { role: env.FERRY_TEST_SNOWFLAKE_ROLE } : {}),
    };
    const schemas = new Set<string>();
    return {
      real: true,
      config(id, schema) {
        const unique = `${schema}_${run}`;
        schemas.add(unique);
        return { ...base, id, schema: unique };
      },
      async dispose() {
        const destination = createDestination({ ...base, id: 'test-cleanup', schema: 'PUBLIC' });
        await destination.connect();
        try {
          const q = (name: string) => destination.dialect.quoteIdentifier(destination.dialect.foldIdentifier(name));
          for (const schema of schemas) await destination.execute([`DROP SCHEMA IF EXISTS ${q(database)}.${q(schema)} CASCADE`]);
        } finally {
          await destination.close();
        }
      },
    };
  }

  const user = 'ferry_test';
  const password = randomBytes(12).toString('hex');
  const { process: emulator, port } = await startEmulator(user, password);
  return {
    real: false,
    config: (id, schema) => ({
      type: 'snowflake',
      id,
      account: 'fakesnow',
      user,
      password,
      database: EMULATOR_DATABASE,
      schema,
      host: '127.0.0.1',
      port,
      protocol: 'http',
    }),
    async dispose() {
      if (emulator.exitCode !== null) return;
      const exited = new Promise((resolve) => emulator.once('exit', resolve));
      emulator.kill();
      await exited;
    },
  };
}

/** Starts the shim on a free loopback port and waits until it listens. */
async function startEmulator(user: string, password: string): Promise<{ process: ChildProcess; port: number }> {
  if (!existsSync(PYTHON)) {
    throw new Error(
      `the Snowflake emulator is not installed (${PYTHON} is missing): run \`bash scripts/setup-venv.sh\`, or \`npm test\`, which runs it`,
    );
  }
  const child = spawn(PYTHON, [SHIM, '--host', '127.0.0.1', '--port', '0', '--user', user, '--password', password, '--database', EMULATOR_DATABASE], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    // Keep the end only: enough to explain a failed start.
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const lines = createInterface({ input: child.stdout! });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`did not start within ${START_TIMEOUT_MS / 1000} s`)), START_TIMEOUT_MS);
      lines.on('line', (line) => {
        const match = /^listening on (\d+)$/.exec(line);
        if (match) {
          clearTimeout(timer);
          resolve(Number(match[1]));
        }
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`exited with code ${code}`));
      });
    });
    return { process: child, port };
  } catch (error) {
    child.kill();
    throw new Error(`the Snowflake emulator (${SHIM}) ${(error as Error).message}:\n${stderr}`);
  }
}
