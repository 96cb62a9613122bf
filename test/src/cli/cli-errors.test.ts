import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportModels, modelSql, type ExportModelName } from '@ferry/generated';
import { tenantId } from '@ferry/sample-data';
import { DuckDBSource } from '@ferry/sources';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  EXAMPLE_PROJECT,
  POSTGRES_ADMIN_URL,
  buildSampleDuckDBSource,
  createTempDatabase,
  parseLogLines,
  readDestinationTable,
  readSlice,
  runFerry,
  snapshotTree,
  type FerryLogLine,
  type TempDatabase,
} from '../index.ts';

/**
 * What a user sees when ferry.yaml is wrong or a warehouse cannot be reached, through the real
 * CLI: a non-zero exit, an error naming the field (or destination) and what to do, nothing
 * written, and never the password that came from the environment.
 */
const SECRET = 's3cr3t-hunter2-XYZ';
const env = { FERRY_TEST_PASSWORD: SECRET };
const TENANT = tenantId(0);
const MODELS = Object.keys(exportModels) as ExportModelName[];

/** A Postgres URL whose password is an environment reference, as docs/ferry-yaml.md asks. */
function urlWithSecret(host: string, port: number | string, database: string): string {
  const user = decodeURIComponent(new URL(POSTGRES_ADMIN_URL).username || 'postgres');
  return `postgres://${user}:\${FERRY_TEST_PASSWORD}@${host}:${port}/${database}`;
}

let root: string;
let sourcePath: string;
let destinationDb: TempDatabase;
let reachablePostgresUrl: string;
let caseCount = 0;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'ferry-cli-errors-'));
  await mkdir(join(root, 'warehouse'));
  sourcePath = await buildSampleDuckDBSource(join(root, 'warehouse'), { seed: 11, tenants: 2, messagesPerTenant: 60 });
  destinationDb = await createTempDatabase('ferry_cli_errors');
  reachablePostgresUrl = destinationDb.url;
});

afterAll(async () => {
  await destinationDb?.drop();
  if (root) await rm(root, { recursive: true, force: true });
});

/** A fresh folder per case, and a Postgres schema name no other case uses. */
async function newCase(): Promise<{ dir: string; schema: string }> {
  caseCount += 1;
  const dir = join(root, `case-${caseCount}`);
  await mkdir(dir);
  return { dir, schema: `cli_case_${caseCount}` };
}

type Config = Record<string, unknown> & { destinations: Record<string, unknown>[] };

/** Valid as it stands: a DuckDB and a Postgres destination. Each case below breaks one thing. */
function validConfig(schema: string): Config {
  return {
    project: EXAMPLE_PROJECT,
    source: { type: 'duckdb', path: sourcePath },
    sync: { retries: 0 },
    products: { engagement: MODELS },
    destinations: [
      { id: 'sandbox', tenant: TENANT, product: 'engagement', type: 'duckdb', path: 'sandbox.duckdb', schema },
      { id: 'acme-pg', tenant: TENANT, models: ['messages'], type: 'postgres', url: reachablePostgresUrl, schema },
    ],
  };
}

async function postgresSchemaExists(schema: string): Promise<boolean> {
  const result = await destinationDb.client.query('SELECT 1 FROM information_schema.schemata WHERE schema_name = $1', [schema]);
  return result.rowCount === 1;
}

function expectNoSecret(...outputs: string[]): void {
  for (const output of outputs) expect(output).not.toContain(SECRET);
}

/** Where a message points for ferry.yaml's fields: a user who installed Ferry has no docs/ folder of their own. */
const DOCS = "Ferry's docs/ferry-yaml.md";
/** The keys a postgres destination takes, and a duckdb one: listed after a key that is not one of them. */
const POSTGRES_DESTINATION_KEYS = 'type, id, tenant, product, models, soft_deletes, schedule, schema, url, password, connect_timeout, ssh';
const DUCKDB_DESTINATION_KEYS = 'type, id, tenant, product, models, soft_deletes, schedule, schema, path';
const DESTINATION_TYPES = 'postgres, duckdb, redshift, snowflake, bigquery';
const LOOKBACK_PROBLEM = 'sync.lookback: use seconds, or a number with s, m or h (e.g. 5m), at most 30 days (720h, 2592000 seconds)';
const HOST_KEY = `SHA256:${'A'.repeat(43)}`;

it('the valid configuration the cases break does sync and write (so "nothing written" below means something)', async () => {
  const { dir, schema } = await newCase();
  await writeFile(join(dir, 'ferry.yaml'), stringify(validConfig(schema)));
  const run = await runFerry(['sync', '-c', 'ferry.yaml'], { cwd: dir, env });
  expect(run.exitCode, run.stderr).toBe(0);
  expect(run.stdout).toBe('2 of 2 destination(s) synced.');
  expect(Object.keys(await snapshotTree(dir)).sort()).toEqual(['.ferry/state.duckdb', 'ferry.yaml', 'sandbox.duckdb']);
  expect(await postgresSchemaExists(schema)).toBe(true);
});

interface ConfigCase {
  readonly name: string;
  /** Breaks the valid config; or gives the file's text outright. */
  readonly edit: (config: Config) => Config | string;
  /** Problem lines stderr must list (each as `  - <line>`). */
  readonly problems: readonly (string | RegExp)[];
}

const cases: ConfigCase[] = [
  {
    name: 'a destination URL that is not postgres://',
    edit: (c) => ((c.destinations[1]!.url = 'mysql://ferry:${FERRY_TEST_PASSWORD}@db.acme.example/analytics'), c),
    problems: ['destinations[1].url: must be a postgres:// URL, e.g. postgres://user@host:5432/db (the password in `password`)'],
  },
  {
    name: 'an unknown export model',
    edit: (c) => {
      delete c.destinations[0]!.product;
      c.destinations[0]!.models = ['messages', 'mesages'];
      return c;
    },
    problems: ['destinations[0].models[1]: unknown export model "mesages": did you mean "messages"?'],
  },
  {
    name: 'a duplicate destination id',
    edit: (c) => ((c.destinations[1]!.id = 'sandbox'), c),
    problems: ['destinations[1].id: duplicate destination id "sandbox"'],
  },
  {
    name: 'a ${VAR} reference to an unset environment variable',
    edit: (c) => ((c.destinations[1]!.url = urlWithSecret('127.0.0.1', 5432, 'x').replace('FERRY_TEST_PASSWORD', 'FERRY_TEST_UNSET_PASSWORD')), c),
    problems: ['destinations[1].url: environment variable FERRY_TEST_UNSET_PASSWORD is not set (export it, or put it in the environment of the job)'],
  },
  {
    name: 'a YAML syntax error',
    edit: (c) => stringify(c).replace(`tenant: ${TENANT}`, `tenant: [${TENANT}`),
    problems: [/^YAML: .+ at line \d+, column \d+$/],
  },
  {
    name: 'an unknown product',
    edit: (c) => ((c.destinations[0]!.product = 'engagment'), c),
    problems: ['destinations[0].product: unknown product "engagment" (defined: engagement)'],
  },
  {
    name: 'both product and models',
    edit: (c) => ((c.destinations[0]!.models = ['messages']), c),
    problems: ['destinations[0]: give exactly one of `product` or `models`'],
  },
  {
    name: 'a misspelt key',
    edit: (c) => ((c.destinations[1]!.shema = 'ferry'), c),
    problems: [`destinations[1]: unknown key "shema": did you mean "schema"? (allowed here: ${POSTGRES_DESTINATION_KEYS})`],
  },
  {
    name: 'two unknown keys in one destination',
    edit: (c) => {
      c.destinations[1]!.shema = 'ferry';
      c.destinations[1]!.colour = 'blue';
      return c;
    },
    problems: [`destinations[1]: unknown key "shema": did you mean "schema"?; unknown key "colour" (allowed here: ${POSTGRES_DESTINATION_KEYS})`],
  },
  {
    name: 'an unknown key that is no near miss: the keys allowed there',
    edit: (c) => ((c.destinations[0]!.colour = 'blue'), c),
    problems: [`destinations[0]: unknown key "colour" (allowed here: ${DUCKDB_DESTINATION_KEYS})`],
  },
  {
    name: 'a misspelt section: the key, and the section now missing',
    edit: (c) => {
      const { destinations, ...rest } = c;
      return { ...rest, destination: destinations } as unknown as Config;
    },
    problems: [
      // destinations may be left out (they can come from `ferry serve`), so the typo is the one problem.
      '(top level): unknown key "destination": did you mean "destinations"? (allowed here: project, source, state, sync, products, recipients, destinations)',
    ],
  },
  {
    name: 'no source section',
    edit: (c) => {
      delete c.source;
      return c;
    },
    problems: [`ferry.yaml has no source: add a \`source:\` section (see ${DOCS})`],
  },
  {
    name: 'a missing field, and one left empty: named with the destination',
    edit: (c) => {
      delete c.destinations[0]!.tenant;
      c.destinations[1]!.tenant = null;
      return c;
    },
    problems: ['destination sandbox has no tenant: add `tenant: <value>`', 'destination acme-pg has no tenant: add `tenant: <value>`'],
  },
  {
    name: 'a destination without an id, and an ssh section without a user',
    edit: (c) => {
      delete c.destinations[0]!.id;
      c.destinations[1]!.ssh = { host: 'bastion.acme.example', password: '${FERRY_TEST_PASSWORD}', host_key: HOST_KEY };
      return c;
    },
    problems: ['destinations[0] has no id: add `id: <value>`', 'the ssh section of destination acme-pg has no user: add `user: <value>`'],
  },
  {
    name: 'values of the wrong type: what the field takes, never the value',
    edit: (c) => {
      c.sync = { retries: '3' };
      c.destinations[0]!.tenant = 42;
      c.destinations[1]!.models = 'messages';
      return c;
    },
    problems: [
      'sync.retries: must be a number, not text (write it without quotes)',
      'destinations[0].tenant: must be text, not a number',
      'destinations[1].models: must be a list (`- item` lines, or [a, b]), not text',
    ],
  },
  {
    name: 'text fields given true/false and a list',
    edit: (c) => {
      c.destinations[0]!.schema = true;
      c.destinations[1]!.tenant = [TENANT];
      return c;
    },
    problems: ['destinations[0].schema: must be text, not true/false', 'destinations[1].tenant: must be text, not a list'],
  },
  {
    name: 'a section written as a value, and an empty list item',
    edit: (c) => {
      c.sync = 'fast';
      c.destinations.push(null as unknown as Record<string, unknown>);
      return c;
    },
    problems: ['sync: must be a section of `key: value` lines, not text', 'destinations[2]: an empty list item: fill it in, or remove its `-` line'],
  },
  {
    name: 'a misspelt destination type',
    edit: (c) => ((c.destinations[0]!.type = 'snowflak'), c),
    problems: [`destinations[0].type: unknown destination type 'snowflak' — did you mean snowflake? (${DESTINATION_TYPES})`],
  },
  {
    name: 'a destination type Ferry does not have',
    edit: (c) => ((c.destinations[1]!.type = 'mysql'), c),
    problems: [`destinations[1].type: unknown destination type 'mysql' (${DESTINATION_TYPES})`],
  },
  {
    name: 'a destination without a type',
    edit: (c) => {
      delete c.destinations[0]!.type;
      return c;
    },
    problems: [`destination sandbox has no type: add \`type: <value>\` (${DESTINATION_TYPES})`],
  },
  {
    name: 'a destination type that came from the environment: not quoted',
    edit: (c) => ((c.destinations[0]!.type = '${FERRY_TEST_PASSWORD}'), c),
    problems: [`destinations[0].type: unknown destination type (from the environment) (${DESTINATION_TYPES})`],
  },
  {
    name: 'a source without a type',
    edit: (c) => ((c.source = { path: sourcePath }), c),
    problems: ['the source has no type: add `type: <value>` (postgres, duckdb)'],
  },
  {
    name: 'a source without its path',
    edit: (c) => ((c.source = { type: 'duckdb' }), c),
    problems: ['the source has no path: add `path: <value>`'],
  },
  {
    name: 'a misspelt source type',
    edit: (c) => ((c.source = { type: 'duckbd', path: sourcePath }), c),
    problems: ["source.type: unknown source type 'duckbd' — did you mean duckdb? (postgres, duckdb)"],
  },
  {
    name: 'values out of range, empty, or not among the choices',
    edit: (c) => {
      c.sync = { concurrency: 0 };
      c.destinations[0]!.path = '';
      c.destinations[0]!.soft_deletes = 'remove';
      c.destinations[1]!.models = [];
      return c;
    },
    problems: [
      'sync.concurrency: must be at least 1',
      'destinations[0].path: must not be empty',
      'destinations[0].soft_deletes: "remove" is not one of: keep, delete',
      'destinations[1].models: must have at least 1 item',
    ],
  },
  {
    name: 'a wrong choice that came from the environment: not quoted',
    edit: (c) => ((c.destinations[0]!.soft_deletes = '${FERRY_TEST_PASSWORD}'), c),
    problems: ['destinations[0].soft_deletes: (from the environment) is not one of: keep, delete'],
  },
  {
    name: 'a lookback of 99999999999h (the first sync would work, every later one fail)',
    edit: (c) => ((c.sync = { lookback: '99999999999h' }), c),
    problems: [LOOKBACK_PROBLEM],
  },
  {
    name: 'a lookback of 9007199254740993 seconds',
    // As a number, past what JavaScript holds exactly.
    edit: (c) => stringify({ ...c, sync: { lookback: 1 } }).replace('lookback: 1', 'lookback: 9007199254740993'),
    problems: [LOOKBACK_PROBLEM],
  },
  {
    name: 'a destination URL with port 99999 and the password in it',
    edit: (c) => ((c.destinations[1]!.url = urlWithSecret('127.0.0.1', 99999, 'analytics')), c),
    problems: ['destinations[1].url: not a valid postgres URL (port 99999 is out of range: use 1 to 65535)'],
  },
  {
    name: 'a destination URL whose password has a stray %',
    edit: (c) => ((c.destinations[1]!.url = urlWithSecret('127.0.0.1', 5432, 'analytics').replace('}@', '}%@')), c),
    problems: [
      'destinations[1].url: not a valid postgres URL (a % in the password not followed by two hex digits: write a literal % as %25, or put the password in `password`)',
    ],
  },
  {
    name: 'a destination URL whose password has a /',
    edit: (c) => ((c.destinations[1]!.url = urlWithSecret('127.0.0.1', 5432, 'analytics').replace('}@', '}/x@')), c),
    problems: [
      'destinations[1].url: not a valid postgres URL (a / ? or # in the user name or password: write them as %2F, %3F and %23, or put the password in `password`)',
    ],
  },
  {
    name: 'a source URL with a stray % in the database, a state URL with port 0',
    edit: (c) => {
      c.source = { type: 'postgres', url: 'postgres://ferry@127.0.0.1:5432/ware%house' };
      c.state = { url: 'postgres://ferry@127.0.0.1:0/state' };
      return c;
    },
    problems: [
      'source.url: not a valid postgres URL (a % in the database not followed by two hex digits: write a literal % as %25)',
      'state.url: not a valid postgres URL (port 0 is out of range: use 1 to 65535)',
    ],
  },
  {
    name: 'destination URLs with a port that is no number, and a broken host',
    edit: (c) => {
      c.destinations[1]!.url = 'postgres://ferry@127.0.0.1:54x/analytics';
      c.destinations.push({ ...c.destinations[1]!, id: 'acme-pg-v6', url: 'postgres://ferry@[::1/analytics' });
      return c;
    },
    problems: [
      'destinations[1].url: not a valid postgres URL (the port is not a number)',
      'destinations[2].url: not a valid postgres URL (check the host: expected postgres://user@host:5432/database)',
    ],
  },
  {
    name: 'an empty file',
    edit: () => '# nothing yet\n',
    problems: [`the file is empty: it needs at least \`source\` and \`destinations\` (see ${DOCS})`],
  },
  {
    name: 'several problems at once, every one reported',
    edit: (c) => {
      c.destinations[0]!.tenant = '';
      c.sync = { retries: 99 };
      return c;
    },
    problems: ["destinations[0].tenant: the recipient value in each model's tenant column", 'sync.retries: must be at most 10'],
  },
];

describe('an invalid ferry.yaml', () => {
  it.each(cases)('$name: exit 1, the field and the fix on stderr, nothing written', async ({ edit, problems }) => {
    const { dir, schema } = await newCase();
    const edited = edit(validConfig(schema));
    await writeFile(join(dir, 'ferry.yaml'), typeof edited === 'string' ? edited : stringify(edited));
    const before = await snapshotTree(dir);

    const run = await runFerry(['sync', '-c', 'ferry.yaml'], { cwd: dir, env });

    expect(run.exitCode).toBe(1);
    expect(run.stdout).toBe('');
    const [headline, ...lines] = run.stderr.split('\n');
    expect(headline).toBe('error: ferry.yaml is not valid:');
    for (const line of lines) expect(line).toMatch(/^ {2}- \S/);
    const listed = lines.map((line) => line.slice('  - '.length));
    for (const problem of problems) {
      expect(
        listed.some((line) => (typeof problem === 'string' ? line === problem : problem.test(line))),
        `${problem} in:\n${run.stderr}`,
      ).toBe(true);
    }
    expect(run.stderr).not.toMatch(/^\s+at /m);
    expectNoSecret(run.stdout, run.stderr);
    expect(await snapshotTree(dir)).toEqual(before);
    expect(await postgresSchemaExists(schema)).toBe(false);
  });

  it('fails the same way in `plan` and `status`, which also create no state store', async () => {
    const { dir, schema } = await newCase();
    const config = validConfig(schema);
    config.destinations[0]!.tenant = '';
    await writeFile(join(dir, 'ferry.yaml'), stringify(config));
    const before = await snapshotTree(dir);
    for (const command of ['plan', 'status']) {
      const run = await runFerry([command, '-c', 'ferry.yaml'], { cwd: dir, env });
      expect(run.exitCode, command).toBe(1);
      expect(run.stdout, command).toBe('');
      expect(run.stderr, command).toBe(
        "error: ferry.yaml is not valid:\n  - destinations[0].tenant: the recipient value in each model's tenant column",
      );
    }
    expect(await snapshotTree(dir)).toEqual(before);
    expect(await postgresSchemaExists(schema)).toBe(false);
  });

  it('a missing file: says which, and how to point at another', async () => {
    const { dir } = await newCase();
    const run = await runFerry(['sync', '-c', 'no-such-ferry.yaml'], { cwd: dir, env });
    expect(run.exitCode).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(
      `error: no-such-ferry.yaml is not valid:\n  - cannot read it (no such file): create it (see ${DOCS}) or pass --config <path>`,
    );
    expect(await snapshotTree(dir)).toEqual({});
  });

  it('an unclosed quote: the line and column where it opened, not the end of the file', async () => {
    const { dir, schema } = await newCase();
    const text = stringify(validConfig(schema)).replace(`tenant: ${TENANT}`, `tenant: "${TENANT}`);
    const quote = text.indexOf(`"${TENANT}`);
    const line = text.slice(0, quote).split('\n').length;
    const column = quote - text.lastIndexOf('\n', quote - 1);
    expect(line).toBeLessThan(text.split('\n').length - 2);
    await writeFile(join(dir, 'ferry.yaml'), text);

    const run = await runFerry(['sync', '-c', 'ferry.yaml'], { cwd: dir, env });

    expect(run.exitCode).toBe(1);
    expect(run.stderr).toBe(
      `error: ferry.yaml is not valid:\n  - YAML: the quote (") opened at line ${line}, column ${column} is never closed: add the closing "`,
    );
  });
});

describe('a -m model that no selected destination can sync', () => {
  const cases: { name: string; args: string[]; products?: Record<string, string[]>; error: string }[] = [
    {
      name: 'a model the catalog does not have: the models it has',
      args: ['-m', 'nosuch'],
      error: `no export model "nosuch" in the generated catalog (export models: ${MODELS.join(', ')})`,
    },
    {
      name: 'a near miss: did you mean',
      args: ['-m', 'mesages'],
      error: `no export model "mesages" in the generated catalog: did you mean "messages"? (export models: ${MODELS.join(', ')})`,
    },
    {
      name: 'a model the chosen destination does not receive: the destinations that do',
      args: ['-d', 'acme-pg', '-m', 'recipients'],
      error: 'destination "acme-pg" does not receive model "recipients" (destinations that do: sandbox)',
    },
    {
      name: 'a model no destination receives',
      args: ['-m', 'recipients'],
      products: { engagement: ['messages'] },
      error: 'no destination in ferry.yaml receives model "recipients": add it to a product or to a destination\'s `models`',
    },
  ];

  it.each(cases)('$name: exit 1, nothing written', async ({ args, products, error }) => {
    const { dir, schema } = await newCase();
    const config = validConfig(schema);
    if (products) config.products = products;
    await writeFile(join(dir, 'ferry.yaml'), stringify(config));
    const before = await snapshotTree(dir);
    for (const command of ['sync', 'plan']) {
      const run = await runFerry([command, '-c', 'ferry.yaml', ...args], { cwd: dir, env });
      expect(run.exitCode, command).toBe(1);
      expect(run.stdout, command).toBe('');
      expect(run.stderr, command).toBe(`error: ${error}`);
    }
    expect(await snapshotTree(dir)).toEqual(before);
  });
});

/** Log lines of one event kind for one destination. */
function events(logs: readonly FerryLogLine[], event: string, destination: string): FerryLogLine[] {
  return logs.filter((l) => l.event === event && l.destination === destination);
}

/** A failure a user can read: one line, error level, naming what failed. */
function expectOneLineErrors(lines: readonly FerryLogLine[], pattern: RegExp): void {
  for (const line of lines) {
    expect(line.level).toBe(50);
    expect(String(line.error)).not.toContain('\n');
    expect(String(line.error)).toMatch(pattern);
  }
}

/** The files a failed sync may leave: the state store recording the failed transfer, nothing else. */
async function expectOnlyStateWritten(dir: string, before: Record<string, string>): Promise<void> {
  const after = await snapshotTree(dir);
  const added = Object.keys(after).filter((path) => !(path in before));
  expect(added).toEqual(['.ferry/state.duckdb']);
  for (const [path, content] of Object.entries(before)) expect(after[path], path).toBe(content);
}

/** `ferry status --json` lists the failed transfers with their errors, and no secret. */
async function expectFailuresInStatus(dir: string, destinations: readonly string[]): Promise<void> {
  const status = await runFerry(['status', '-c', 'ferry.yaml', '--json'], { cwd: dir, env });
  expect(status.exitCode, status.stderr).toBe(0);
  expectNoSecret(status.stdout, status.stderr);
  const transfers = JSON.parse(status.stdout) as { destinationId: string; status: string; models: { error: string | null }[] }[];
  expect(transfers.map((t) => t.destinationId).sort()).toEqual([...destinations].sort());
  for (const transfer of transfers) {
    expect(transfer.status).toBe('failed');
    for (const model of transfer.models) expect(model.error).toBeTruthy();
  }
}

/**
 * A failed sync's stdout: the count, then each failed destination with its reason and each of
 * its failed models with theirs, so a piped run says why without its JSON log.
 */
function expectSummary(stdout: string, count: string, failed: readonly string[]): void {
  const [first, ...rest] = stdout.split('\n');
  expect(first).toBe(count);
  const destinations = rest.filter((line) => line.startsWith('✗ ')).map((line) => line.slice(2).split(':')[0]);
  expect(destinations).toEqual(failed);
  for (const line of rest) expect(line, 'a reason on every line').toMatch(/^ {0,2}✗ [^:]+: .+/);
}

describe('an unreachable source', () => {
  it('a Postgres source at a closed port: every model fails clearly, no destination is touched, no password shown', async () => {
    const { dir, schema } = await newCase();
    const config = validConfig(schema);
    config.source = { type: 'postgres', url: urlWithSecret('127.0.0.1', 1, 'warehouse') };
    await writeFile(join(dir, 'ferry.yaml'), stringify(config));
    const before = await snapshotTree(dir);

    const run = await runFerry(['sync', '-c', 'ferry.yaml'], { cwd: dir, env });

    expect(run.exitCode).toBe(1);
    expectSummary(run.stdout, '0 of 2 destination(s) synced.', ['sandbox', 'acme-pg']);
    expect(run.stdout).toMatch(/ {2}✗ messages: cannot connect to the Postgres source at 127\.0\.0\.1:1.*ECONNREFUSED/);
    expectNoSecret(run.stdout, run.stderr);
    const logs = parseLogLines(run.stderr);
    const sandboxFailures = events(logs, 'model.failed', 'sandbox');
    expect(sandboxFailures.map((l) => l.model)).toEqual(MODELS);
    expect(events(logs, 'model.failed', 'acme-pg').map((l) => l.model)).toEqual(['messages']);
    expectOneLineErrors([...sandboxFailures, ...events(logs, 'model.failed', 'acme-pg')], /Postgres source at 127\.0\.0\.1:1.*ECONNREFUSED/);
    for (const id of ['sandbox', 'acme-pg']) {
      expect(events(logs, 'transfer.finished', id).map((l) => l.status)).toEqual(['failed']);
      expect(events(logs, 'model.started', id)).toEqual([]);
    }
    await expectOnlyStateWritten(dir, before);
    expect(await postgresSchemaExists(schema)).toBe(false);
    await expectFailuresInStatus(dir, ['sandbox', 'acme-pg']);
  });

  it('a DuckDB source file that does not exist: named in the error, and not created', async () => {
    const { dir, schema } = await newCase();
    const config = validConfig(schema);
    config.source = { type: 'duckdb', path: 'missing/warehouse.duckdb' };
    await writeFile(join(dir, 'ferry.yaml'), stringify(config));
    const before = await snapshotTree(dir);

    const run = await runFerry(['sync', '-c', 'ferry.yaml'], { cwd: dir, env });

    expect(run.exitCode).toBe(1);
    expectSummary(run.stdout, '0 of 2 destination(s) synced.', ['sandbox', 'acme-pg']);
    const logs = parseLogLines(run.stderr);
    const failures = [...events(logs, 'model.failed', 'sandbox'), ...events(logs, 'model.failed', 'acme-pg')];
    expect(failures).toHaveLength(MODELS.length + 1);
    const missing = join(dir, 'missing', 'warehouse.duckdb');
    expectOneLineErrors(failures, new RegExp(`^the DuckDB source file ${missing.replace(/[.]/g, '\\.')} does not exist: check the source's path`));
    expect(existsSync(join(dir, 'missing'))).toBe(false);
    await expectOnlyStateWritten(dir, before);
    expect(await postgresSchemaExists(schema)).toBe(false);
  });
});

describe('an unreachable destination', () => {
  it('never stops the others: the reachable one is fully synced, the summary says 1 of 2, exit 1', async () => {
    const { dir, schema } = await newCase();
    const config = validConfig(schema);
    config.destinations[1]!.url = urlWithSecret('127.0.0.1', 1, 'analytics');
    await writeFile(join(dir, 'ferry.yaml'), stringify(config));

    const run = await runFerry(['sync', '-c', 'ferry.yaml'], { cwd: dir, env });

    expect(run.exitCode).toBe(1);
    expectSummary(run.stdout, '1 of 2 destination(s) synced.', ['acme-pg']);
    expectNoSecret(run.stdout, run.stderr);
    const logs = parseLogLines(run.stderr);
    const failures = events(logs, 'model.failed', 'acme-pg');
    expect(failures.map((l) => l.model)).toEqual(['messages']);
    expectOneLineErrors(failures, /^destination "acme-pg" \(postgres\): .*127\.0\.0\.1:1/);
    expect(events(logs, 'transfer.finished', 'acme-pg').map((l) => l.status)).toEqual(['failed']);
    expect(events(logs, 'transfer.finished', 'sandbox').map((l) => l.status)).toEqual(['succeeded']);

    const reader = new DuckDBSource({ path: sourcePath });
    await reader.connect();
    try {
      for (const model of MODELS) {
        const expected = await readSlice(reader, exportModels[model], TENANT);
        expect(expected.length, model).toBeGreaterThan(0);
        const synced = await readDestinationTable(
          { type: 'duckdb', path: join(dir, 'sandbox.duckdb') },
          schema,
          exportModels[model],
          modelSql.duckdb[model],
          TENANT,
        );
        expect(synced, model).toEqual(expected);
      }
    } finally {
      await reader.close();
    }
  });

  it('retries a refused connection, not a missing database; both end in one clear error per model and no password', async () => {
    const { dir, schema } = await newCase();
    const config = validConfig(schema);
    config.sync = { retries: 1 };
    config.destinations = [
      {
        id: 'acme-pg',
        tenant: TENANT,
        models: ['messages', 'recipients'],
        type: 'postgres',
        url: urlWithSecret('127.0.0.1', 1, 'analytics'),
        schema,
      },
      {
        id: 'globex-pg',
        tenant: tenantId(1),
        models: ['messages'],
        type: 'postgres',
        url: urlWithSecret(new URL(reachablePostgresUrl).hostname, new URL(reachablePostgresUrl).port || 5432, `${destinationDb.name}_missing`),
        schema,
      },
    ];
    await writeFile(join(dir, 'ferry.yaml'), stringify(config));
    const before = await snapshotTree(dir);

    const run = await runFerry(['sync', '-c', 'ferry.yaml'], { cwd: dir, env });

    expect(run.exitCode).toBe(1);
    expectSummary(run.stdout, '0 of 2 destination(s) synced.', ['acme-pg', 'globex-pg']);
    expectNoSecret(run.stdout, run.stderr);
    const logs = parseLogLines(run.stderr);
    const retries = events(logs, 'retry', 'acme-pg');
    expect(retries.map((l) => l.attempt)).toEqual([1, 1]);
    for (const retry of retries) {
      expect(retry.level).toBe(40);
      expect(retry.error).toMatch(/ECONNREFUSED/);
    }
    expect(events(logs, 'retry', 'globex-pg')).toEqual([]);
    expectOneLineErrors(events(logs, 'model.failed', 'acme-pg'), /^destination "acme-pg" \(postgres\): .*ECONNREFUSED/);
    const missingDatabase = events(logs, 'model.failed', 'globex-pg');
    expect(missingDatabase.map((l) => l.model)).toEqual(['messages']);
    expectOneLineErrors(
      missingDatabase,
      new RegExp(`^destination "globex-pg" \\(postgres\\): database "${destinationDb.name}_missing" does not exist`),
    );
    await expectOnlyStateWritten(dir, before);
    expect(await postgresSchemaExists(schema)).toBe(false);
    await expectFailuresInStatus(dir, ['acme-pg', 'globex-pg']);
  });
});
