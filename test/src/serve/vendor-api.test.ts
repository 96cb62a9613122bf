import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openVault } from '@ferry/connections';
import { openStateStore } from '@ferry/state';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import {
  EXAMPLE_PROJECT,
  POSTGRES_ADMIN_URL,
  buildSampleDuckDBSource,
  createTempDatabase,
  queryDuckDB,
  runFerry,
  controlPlaneCredentials,
  startFerryServer,
  withDatabase,
  type FerryServerProcess,
  type TempDatabase,
} from '../index.ts';

/**
 * The vendor API of `ferry serve`, through HTTP against the built CLI running as a subprocess:
 * every endpoint, its success and its refusals, with the state store and the destination warehouse
 * in one temporary Postgres database and a DuckDB source built from the sample data. Tests run in
 * order and build on each other, as a vendor's onboarding would: recipients, a destination,
 * transfers, then the audit log, the OpenAPI document and a leak check over everything seen.
 */

const YAML_RECIPIENT = { id: 'acme', name: 'Acme Corp', tenant: 'tenant_001' };
const RECIPIENT = { id: 'globex', name: 'Globex', tenant: 'tenant_002' };
const SPARE_RECIPIENT = { id: 'initech', name: 'Initech', tenant: 'tenant_003' };
const YAML_DESTINATION = 'acme-duckdb';
const DESTINATION = 'globex-pg';
const MODELS = ['messages', 'recipients'];
/** Unique per run: a leftover schema of an earlier run can never pass for this one's rows. */
const SCHEMA = `api_${randomBytes(4).toString('hex')}`;
/**
 * The destination's password. Postgres here trusts every local login, so any password connects;
 * one from FERRY_TEST_POSTGRES_URL is used when it has one, so the transfers still log in.
 */
const PASSWORD = decodeURIComponent(new URL(POSTGRES_ADMIN_URL).password) || `Pw-${randomBytes(12).toString('base64url')}`;

let dir: string;
let database: TempDatabase;
let configFile: string;
let server: FerryServerProcess;
let env: Record<string, string>;
let masterKey: string;
let apiKey: string;
let apiKeyId: string;
/** The destination's url with the password in it, and as the API shows it: without. */
let destinationUrl: string;
let shownUrl: string;
/** Source rows of RECIPIENT's tenant, by model. */
const sourceRows: Record<string, number> = {};

/** Every response body, every CLI output and every credential: the last test looks for leaks. */
const seen: string[] = [];
const credentials: string[] = [];
/** `METHOD /api/v1/path/{id}` of every endpoint that answered with success, and every status each answered with. */
const succeeded = new Set<string>();
const statuses = new Map<string, Set<number>>();
/** `action target` of every change the API accepted, in order: what the audit log must hold. */
const changes: string[] = [];
const AUDITED: Record<string, string> = {
  'POST /api/v1/recipients': 'recipient.create',
  'PATCH /api/v1/recipients/{id}': 'recipient.update',
  'DELETE /api/v1/recipients/{id}': 'recipient.delete',
  'POST /api/v1/destinations': 'destination.create',
  'PATCH /api/v1/destinations/{id}': 'destination.update',
  'DELETE /api/v1/destinations/{id}': 'destination.delete',
  'POST /api/v1/destinations/{id}/pause': 'destination.pause',
  'POST /api/v1/destinations/{id}/resume': 'destination.resume',
  'POST /api/v1/destinations/{id}/test': 'destination.test',
  'POST /api/v1/destinations/{id}/transfers': 'transfer.trigger',
  'POST /api/v1/recipients/{id}/magic-links': 'magic-link.create',
};

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ferry-serve-api-'));
  database = await createTempDatabase('ferry_serve_api');
  const source = await buildSampleDuckDBSource(dir, { seed: 17, tenants: 3, messagesPerTenant: 40 });
  // Counted before the server starts: it opens the source file itself for each transfer.
  for (const model of MODELS) {
    const [[count]] = (await queryDuckDB(source, `SELECT count(*) FROM analytics.${model} WHERE tenant_id = '${RECIPIENT.tenant}'`)) as [[string]];
    sourceRows[model] = Number(count);
  }
  const url = new URL(withDatabase(POSTGRES_ADMIN_URL, database.name));
  url.password = '';
  shownUrl = url.toString();
  url.password = encodeURIComponent(PASSWORD);
  destinationUrl = url.toString();

  configFile = join(dir, 'ferry.yaml');
  await writeFile(
    configFile,
    stringify({
      project: EXAMPLE_PROJECT,
      source: { type: 'duckdb', path: source },
      products: { engagement: MODELS },
      recipients: [YAML_RECIPIENT],
      destinations: [
        { id: YAML_DESTINATION, tenant: YAML_RECIPIENT.tenant, product: 'engagement', type: 'duckdb', path: 'acme.duckdb', schedule: 'manual' },
      ],
    }),
  );

  const made = await controlPlaneCredentials(configFile, dir, database.url);
  ({ masterKey, env, apiKey } = made);
  apiKeyId = /^ferry_([0-9a-f]{12})_/.exec(apiKey)?.[1] ?? '';
  expect(apiKeyId, 'api-keys create prints a key as ferry_<id>_<secret>').not.toBe('');
  // Printing the key is that command's job: its stdout stays out of `seen`.
  seen.push(made.createdNotice);
  credentials.push(PASSWORD, masterKey, apiKey);

  server = await startFerryServer({ configFile, cwd: dir, env, args: ['--no-scheduler'] });
});

afterAll(async () => {
  await server?.stop();
  await database?.drop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

interface Answer {
  readonly status: number;
  readonly text: string;
  readonly headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: a JSON body, read field by field in assertions
  readonly body: any;
}

/**
 * One request to the API. `path` is the route as the OpenAPI document writes it, `{id}` filled
 * from `id`, so the endpoints exercised can be compared with those documented.
 */
async function api(
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
  path: string,
  options: { id?: string; query?: string; body?: unknown; raw?: string; key?: string | null } = {},
): Promise<Answer> {
  const operation = `${method} /api/v1${path}`;
  const url = `${server.url}/api/v1${path.replace('{id}', encodeURIComponent(options.id ?? ''))}${options.query ? `?${options.query}` : ''}`;
  const answer = await request(method, url, options);
  if (answer.status < 300) succeeded.add(operation);
  const action = AUDITED[operation];
  if (answer.status < 300 && action) {
    // A magic link is audited under its own id; everything else under the id in the path or the body.
    const target = action === 'magic-link.create' ? answer.body.id : (options.id ?? (options.body as { id: string }).id);
    changes.push(`${action} ${target}`);
  }
  if (!statuses.has(operation)) statuses.set(operation, new Set());
  statuses.get(operation)?.add(answer.status);
  return answer;
}

async function request(
  method: string,
  url: string,
  options: { body?: unknown; raw?: string; key?: string | null; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { ...options.headers };
  const key = options.key === undefined ? apiKey : options.key;
  if (key !== null) headers.authorization = `Bearer ${key}`;
  const payload = options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  if (payload !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(url, { method, headers, ...(payload === undefined ? {} : { body: payload }) });
  const text = await response.text();
  seen.push(text);
  let body: unknown;
  try {
    body = text === '' ? undefined : JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: response.status, text, headers: response.headers, body };
}

/** The API's error shape, its status in it too, and a message that says what is wrong. */
function expectError(answer: Answer, status: number, message?: string | RegExp): void {
  expect(answer.status, answer.text).toBe(status);
  expect(answer.body).toEqual({ error: { status, message: expect.any(String) } });
  if (message !== undefined) expect(answer.body.error.message).toMatch(message);
}

/** Polls a transfer until it has finished. */
async function finished(id: string) {
  const deadline = Date.now() + 90_000;
  for (;;) {
    const answer = await api('GET', '/transfers/{id}', { id });
    expect(answer.status, answer.text).toBe(200);
    if (answer.body.status !== 'running') return answer.body;
    if (Date.now() > deadline) throw new Error(`transfer ${id} still running after 90 s:\n${server.stderr().slice(-4000)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** The sealed credential of a stored destination, read as the server reads it: undefined once deleted. */
async function sealedPassword(destination: string): Promise<string | undefined> {
  const state = await openStateStore(database.url);
  try {
    return await openVault(state, { FERRY_MASTER_KEY: masterKey })
      .get(`destination.${destination}.password`)
      .catch(() => undefined);
  } finally {
    await state.close();
  }
}

const isoNow = () => expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);

describe('authentication', () => {
  it('refuses a request with no key, a malformed key or a wrong key (401, WWW-Authenticate: Bearer), before doing anything', async () => {
    const wrongSecret = apiKey.replace(/_[A-Za-z0-9_-]{43}$/, `_${randomBytes(32).toString('base64url')}`);
    const unknownId = `ferry_${randomBytes(6).toString('hex')}_${randomBytes(32).toString('base64url')}`;
    credentials.push(wrongSecret, unknownId);
    for (const key of [null, '', 'not-a-key', `${apiKey}x`, apiKey.toUpperCase(), wrongSecret, unknownId]) {
      const answer = await api('POST', '/recipients', { body: SPARE_RECIPIENT, key });
      expectError(answer, 401, key ? /unknown or revoked/ : /no API key/);
      expect(answer.headers.get('www-authenticate')).toBe('Bearer');
    }
    // A scheme other than Bearer is no key either.
    const basic = await request('GET', `${server.url}/api/v1/recipients`, {
      key: null,
      headers: { authorization: `Basic ${Buffer.from(`tests:${apiKey}`).toString('base64')}` },
    });
    expectError(basic, 401);
    const answer = await api('GET', '/recipients');
    expect(answer.status, answer.text).toBe(200);
    expect(answer.body.map((r: { id: string }) => r.id)).toEqual([YAML_RECIPIENT.id]);
  });
});

describe('recipients', () => {
  let created: Record<string, unknown>;

  it("lists ferry.yaml's recipient, read-only", async () => {
    const answer = await api('GET', '/recipients');
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual([{ ...YAML_RECIPIENT, managed_by: 'ferry.yaml', created_at: null }]);
  });

  it('creates recipients (201) and reads them back', async () => {
    const before = Date.now();
    const answer = await api('POST', '/recipients', { body: RECIPIENT });
    expect(answer.status, answer.text).toBe(201);
    created = answer.body;
    expect(created).toEqual({ ...RECIPIENT, managed_by: 'api', created_at: isoNow() });
    // The store's clock and this one's may differ a little; not by minutes.
    expect(Math.abs(Date.parse(created.created_at as string) - before)).toBeLessThan(120_000);
    expect((await api('POST', '/recipients', { body: SPARE_RECIPIENT })).status).toBe(201);

    const read = await api('GET', '/recipients/{id}', { id: RECIPIENT.id });
    expect(read.status).toBe(200);
    expect(read.body).toEqual(created);
    const list = await api('GET', '/recipients');
    expect(list.body.map((r: { id: string }) => r.id)).toEqual([YAML_RECIPIENT.id, RECIPIENT.id, SPARE_RECIPIENT.id]);
  });

  it('refuses an id that is taken (by the API or ferry.yaml) and a tenant another recipient has (409)', async () => {
    expectError(await api('POST', '/recipients', { body: { ...RECIPIENT, tenant: 'tenant_009' } }), 409, /recipient id "globex" is taken/);
    expectError(await api('POST', '/recipients', { body: { ...YAML_RECIPIENT, tenant: 'tenant_009' } }), 409, /recipient id "acme" is taken/);
    expectError(
      await api('POST', '/recipients', { body: { id: 'globex-2', name: 'Globex again', tenant: RECIPIENT.tenant } }),
      409,
      /recipient "globex" has tenant "tenant_002" already/,
    );
    expectError(await api('POST', '/recipients', { body: { id: 'acme-2', name: 'Acme again', tenant: YAML_RECIPIENT.tenant } }), 409, /"acme"/);
  });

  it('refuses a body that does not match the schema (422), naming the field, and stores nothing', async () => {
    const cases: [unknown, RegExp][] = [
      [{ id: 'has spaces', name: 'x', tenant: 'tenant_009' }, /^body id: /],
      [{ ...RECIPIENT, id: 'hooli', tenant: 'tenant_009', color: 'red' }, /color/],
      [{ id: 'hooli', name: '', tenant: 'tenant_009' }, /^body name: /],
      [{ id: 'hooli', name: 'Hooli' }, /^body tenant: /],
      [['hooli'], /^body: /],
    ];
    for (const [body, message] of cases) expectError(await api('POST', '/recipients', { body }), 422, message);
    expectError(await api('POST', '/recipients', { raw: '{"id": "hooli",' }), 422);
    expectError(await api('POST', '/recipients'), 422, /^body: /);
    const list = await api('GET', '/recipients');
    expect(list.body.map((r: { id: string }) => r.id)).toEqual([YAML_RECIPIENT.id, RECIPIENT.id, SPARE_RECIPIENT.id]);
  });

  it('answers 404 for a recipient that does not exist', async () => {
    expectError(await api('GET', '/recipients/{id}', { id: 'nobody' }), 404, /no recipient "nobody"/);
    expectError(await api('PATCH', '/recipients/{id}', { id: 'nobody', body: { name: 'x' } }), 404);
    expectError(await api('DELETE', '/recipients/{id}', { id: 'nobody' }), 404);
  });

  it('changes a recipient (200); refuses a tenant taken, an unknown field, and any change to a ferry.yaml recipient (403)', async () => {
    const renamed = await api('PATCH', '/recipients/{id}', { id: SPARE_RECIPIENT.id, body: { name: 'Initech Ltd' } });
    expect(renamed.status, renamed.text).toBe(200);
    expect(renamed.body).toMatchObject({ ...SPARE_RECIPIENT, name: 'Initech Ltd', managed_by: 'api' });
    const moved = await api('PATCH', '/recipients/{id}', { id: SPARE_RECIPIENT.id, body: { tenant: 'tenant_009' } });
    expect(moved.status, moved.text).toBe(200);
    expect(moved.body).toMatchObject({ id: SPARE_RECIPIENT.id, name: 'Initech Ltd', tenant: 'tenant_009' });
    expect((await api('GET', '/recipients/{id}', { id: SPARE_RECIPIENT.id })).body).toEqual(moved.body);

    expectError(
      await api('PATCH', '/recipients/{id}', { id: SPARE_RECIPIENT.id, body: { tenant: RECIPIENT.tenant } }),
      409,
      /one recipient per tenant/,
    );
    expectError(await api('PATCH', '/recipients/{id}', { id: SPARE_RECIPIENT.id, body: { id: 'other' } }), 422, /id/);
    expectError(await api('PATCH', '/recipients/{id}', { id: SPARE_RECIPIENT.id, body: { name: '' } }), 422, /^body name: /);
    expectError(await api('PATCH', '/recipients/{id}', { id: YAML_RECIPIENT.id, body: { name: 'Acme' } }), 403, /ferry\.yaml: change it there/);
    expectError(await api('DELETE', '/recipients/{id}', { id: YAML_RECIPIENT.id }), 403, /ferry\.yaml: change it there/);
    expect((await api('GET', '/recipients/{id}', { id: YAML_RECIPIENT.id })).body).toMatchObject(YAML_RECIPIENT);
  });

  it('deletes a recipient with no destinations (204, no body)', async () => {
    const answer = await api('DELETE', '/recipients/{id}', { id: SPARE_RECIPIENT.id });
    expect(answer.status, answer.text).toBe(204);
    expect(answer.text).toBe('');
    expectError(await api('GET', '/recipients/{id}', { id: SPARE_RECIPIENT.id }), 404);
    expectError(await api('DELETE', '/recipients/{id}', { id: SPARE_RECIPIENT.id }), 404);
  });
});

describe('products', () => {
  it("lists ferry.yaml's products", async () => {
    const answer = await api('GET', '/products');
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual([{ name: 'engagement', models: MODELS }]);
  });
});

/** The magic links created for RECIPIENT, newest first. */
const links: { id: string; token: string; url: string }[] = [];

describe('magic links', () => {
  /** Creates a link; its token is a credential shown once, in this answer only, which stays out of `seen`. */
  async function createLink(body: Record<string, unknown>) {
    const answer = await api('POST', '/recipients/{id}/magic-links', { id: RECIPIENT.id, body });
    expect(answer.status, answer.text).toBe(201);
    seen.splice(seen.lastIndexOf(answer.text), 1);
    const token = /\/connect\/globex\/([^/]+)$/.exec(answer.body.url)?.[1] ?? '';
    expect(token, answer.body.url).toMatch(new RegExp(`^${answer.body.id}\\.[A-Za-z0-9_-]{43}$`));
    expect(answer.body.url).toBe(`${server.url}/connect/${RECIPIENT.id}/${token}`);
    credentials.push(token);
    links.unshift({ id: answer.body.id, token, url: answer.body.url });
    return answer.body;
  }

  it("creates a recipient's link (201): a single-use URL with a fresh token, shown once", async () => {
    const link = await createLink({ product: 'engagement' });
    expect(link).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{12}$/),
      recipient: RECIPIENT.id,
      product: 'engagement',
      schedule: '24h',
      destination_types: expect.arrayContaining(['postgres']),
      status: 'active',
      created_at: isoNow(),
      expires_at: isoNow(),
      used_at: null,
      destination_id: null,
      url: expect.any(String),
    });
    // A link sets up a warehouse reached over the network: never a file on the server.
    expect(link.destination_types).not.toContain('duckdb');
    // Seven days by default (the server's clock sets expires_at, the store's created_at).
    expect(Math.abs(Date.parse(link.expires_at) - Date.parse(link.created_at) - 7 * 86_400_000)).toBeLessThan(60_000);

    const narrow = await createLink({ product: 'engagement', destination_types: ['postgres'], schedule: '6h', expires_in_days: 1 });
    expect(narrow).toMatchObject({ destination_types: ['postgres'], schedule: '6h', status: 'active' });
    expect(Math.abs(Date.parse(narrow.expires_at) - Date.parse(narrow.created_at) - 86_400_000)).toBeLessThan(60_000);
    expect(narrow.id).not.toBe(link.id);

    // The URL is one a customer can open.
    const page = await fetch(narrow.url);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
  });

  it("lists a recipient's links, newest first, never their tokens", async () => {
    const answer = await api('GET', '/recipients/{id}/magic-links', { id: RECIPIENT.id });
    expect(answer.status, answer.text).toBe(200);
    expect(answer.body.map((l: { id: string }) => l.id)).toEqual(links.map((l) => l.id));
    for (const link of answer.body) expect(link).not.toHaveProperty('url');
    for (const { token } of links) expect(answer.text).not.toContain(token.split('.')[1]);
    expect((await api('GET', '/recipients/{id}/magic-links', { id: YAML_RECIPIENT.id })).body).toEqual([]);
  });

  it('refuses a link for no known recipient (404) or with a bad body (422)', async () => {
    expectError(await api('POST', '/recipients/{id}/magic-links', { id: 'nobody', body: { product: 'engagement' } }), 404, /no recipient "nobody"/);
    expectError(await api('GET', '/recipients/{id}/magic-links', { id: 'nobody' }), 404, /no recipient "nobody"/);
    const cases: [unknown, RegExp][] = [
      [{ product: 'nonesuch' }, /product: no product "nonesuch"/],
      [{}, /^body product: /],
      [{ product: 'engagement', expires_in_days: 0 }, /^body expires_in_days: /],
      [{ product: 'engagement', expires_in_days: 31 }, /^body expires_in_days: /],
      [{ product: 'engagement', destination_types: ['duckdb'] }, /^body destination_types/],
      [{ product: 'engagement', schedule: 'weekly' }, /^body schedule: /],
      [{ product: 'engagement', recipient: 'acme' }, /recipient/],
    ];
    for (const [body, message] of cases) expectError(await api('POST', '/recipients/{id}/magic-links', { id: RECIPIENT.id, body }), 422, message);
    expect((await api('GET', '/recipients/{id}/magic-links', { id: RECIPIENT.id })).body).toHaveLength(links.length);
  });
});

describe('destinations', () => {
  let created: Record<string, unknown>;
  const input = () => ({
    id: DESTINATION,
    recipient: RECIPIENT.id,
    type: 'postgres',
    url: destinationUrl,
    schema: SCHEMA,
    product: 'engagement',
    schedule: 'manual',
  });

  it("lists ferry.yaml's destination, with its recipient found by tenant", async () => {
    const answer = await api('GET', '/destinations');
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual([
      {
        id: YAML_DESTINATION,
        type: 'duckdb',
        recipient: YAML_RECIPIENT.id,
        tenant: YAML_RECIPIENT.tenant,
        managed_by: 'ferry.yaml',
        product: 'engagement',
        models: MODELS,
        soft_deletes: 'keep',
        schedule: 'manual',
        paused_at: null,
        next_run_at: null,
        connection: { path: join(dir, 'acme.duckdb'), schema: 'ferry' },
        credentials: [],
        last_transfer: null,
      },
    ]);
  });

  it('creates a postgres destination (201): the password is sealed, shown only as a credential that is set', async () => {
    const answer = await api('POST', '/destinations', { body: input() });
    expect(answer.status, answer.text).toBe(201);
    created = answer.body;
    expect(created).toEqual({
      id: DESTINATION,
      type: 'postgres',
      recipient: RECIPIENT.id,
      tenant: RECIPIENT.tenant,
      managed_by: 'api',
      product: 'engagement',
      models: MODELS,
      soft_deletes: 'keep',
      schedule: 'manual',
      paused_at: null,
      next_run_at: null,
      connection: { url: shownUrl, schema: SCHEMA, connect_timeout: 30 },
      credentials: ['password'],
      last_transfer: null,
    });
    expect(await sealedPassword(DESTINATION)).toBe(PASSWORD);
    // The stored entry holds a reference to the sealed value, never the value.
    const { rows } = await database.client.query('SELECT entry FROM ferry_state.managed_destinations WHERE id = $1', [DESTINATION]);
    expect(JSON.parse(rows[0].entry)).toMatchObject({ url: shownUrl, password: `\${secret:destination.${DESTINATION}.password}` });
  });

  it('reads it back, alone and in the list', async () => {
    const read = await api('GET', '/destinations/{id}', { id: DESTINATION });
    expect(read.status).toBe(200);
    expect(read.body).toEqual(created);
    const list = await api('GET', '/destinations');
    expect(list.body.map((d: { id: string }) => d.id)).toEqual([YAML_DESTINATION, DESTINATION]);
    expect(list.body[1]).toEqual(created);
    expectError(await api('GET', '/destinations/{id}', { id: 'nowhere' }), 404, /no destination "nowhere"/);
  });

  it('refuses an id that is taken and a place another destination writes to (409), storing nothing', async () => {
    expectError(await api('POST', '/destinations', { body: { ...input(), schema: `${SCHEMA}_b` } }), 409, /destination id "globex-pg" is taken/);
    expectError(
      await api('POST', '/destinations', { body: { ...input(), id: YAML_DESTINATION, schema: `${SCHEMA}_b` } }),
      409,
      /destination id "acme-duckdb" is taken/,
    );
    // The same url and schema, the password given apart or not at all: the same tables.
    for (const same of [
      { ...input(), id: 'globex-pg-2' },
      { ...input(), id: 'globex-pg-2', url: shownUrl },
    ]) {
      expectError(await api('POST', '/destinations', { body: same }), 409, /destinations "globex-pg" and "globex-pg-2" write to the same place/);
    }
    const list = await api('GET', '/destinations');
    expect(list.body.map((d: { id: string }) => d.id)).toEqual([YAML_DESTINATION, DESTINATION]);
    expect(await sealedPassword('globex-pg-2')).toBeUndefined();
  });

  it('refuses an entry that is not a valid destination (422) or names no known recipient (404), storing nothing', async () => {
    const other = { ...input(), id: 'globex-other', schema: `${SCHEMA}_c` };
    const { url: _url, ...noUrl } = other;
    const { product: _product, ...noModels } = other;
    const cases: [unknown, RegExp][] = [
      [{ ...other, type: 'oracle' }, /^body type: /],
      [noUrl, /^body url: /],
      [{ ...other, id: 'has spaces' }, /^body id: /],
      [{ ...other, colour: 'blue' }, /colour/],
      [{ ...other, schedule: 'weekly' }, /^body schedule: /],
      [{ ...other, product: 'nonesuch' }, /product: no product "nonesuch"/],
      [noModels, /give exactly one of `product` or `models`/],
      [{ ...other, models: ['messages'] }, /give exactly one of `product` or `models`/],
      // Nothing given may make Ferry fill in a secret, read a file on its machine or reach a socket.
      [{ ...other, schema: '${secret:destination.globex-pg.password}' }, /^schema: "\$\{" is not allowed here/],
      [{ ...other, url: `${other.url}?sslkey=/etc/ssl/private/key.pem` }, /url: the parameter "sslkey" is not allowed/],
      [{ ...other, url: `${other.url}?application_name=\${secret:x}` }, /url: the parameter "application_name" is not allowed/],
    ];
    for (const [body, message] of cases) expectError(await api('POST', '/destinations', { body }), 422, message);
    expectError(await api('POST', '/destinations', { body: { ...other, recipient: 'nobody' } }), 404, /no recipient "nobody"/);
    const list = await api('GET', '/destinations');
    expect(list.body.map((d: { id: string }) => d.id)).toEqual([YAML_DESTINATION, DESTINATION]);
    expect(await sealedPassword('globex-other')).toBeUndefined();
  });

  it('answers a body that is not JSON with 422, quoting none of it', async () => {
    // A client's bug: the password not quoted. The parser's message must not echo the body back.
    const answer = await api('POST', '/destinations', { raw: `{"id": "globex-broken", "type": "postgres", "password": ${PASSWORD}}` });
    expectError(answer, 422);
    for (let start = 0; start + 6 <= PASSWORD.length; start++) expect(answer.text).not.toContain(PASSWORD.slice(start, start + 6));
  });

  it("refuses changes to ferry.yaml's destination (403) and to one that does not exist (404)", async () => {
    for (const [method, path, body] of [
      ['PATCH', '/destinations/{id}', { schedule: '1h' }],
      ['DELETE', '/destinations/{id}', undefined],
      ['POST', '/destinations/{id}/pause', undefined],
      ['POST', '/destinations/{id}/resume', undefined],
    ] as const) {
      expectError(await api(method, path, { id: YAML_DESTINATION, body }), 403, /acme-duckdb" is kept in .*ferry\.yaml: change it there/);
      expectError(await api(method, path, { id: 'nowhere', body }), 404, /no destination "nowhere"/);
    }
    expectError(await api('POST', '/destinations/{id}/test', { id: 'nowhere' }), 404);
    expectError(await api('POST', '/destinations/{id}/transfers', { id: 'nowhere' }), 404);
    expect((await api('GET', '/destinations/{id}', { id: YAML_DESTINATION })).body).toMatchObject({ schedule: 'manual', paused_at: null });
  });

  it('keeps a recipient that has destinations: no delete, no new tenant (409)', async () => {
    expectError(await api('DELETE', '/recipients/{id}', { id: RECIPIENT.id }), 409, /still has destinations \(globex-pg\)/);
    expectError(await api('PATCH', '/recipients/{id}', { id: RECIPIENT.id, body: { tenant: 'tenant_009' } }), 409, /has destinations \(globex-pg\)/);
    expect((await api('GET', '/recipients/{id}', { id: RECIPIENT.id })).body).toMatchObject(RECIPIENT);
  });

  it('changes the schedule (200), keeping the password the patch leaves out', async () => {
    const answer = await api('PATCH', '/destinations/{id}', { id: DESTINATION, body: { schedule: '1h' } });
    expect(answer.status, answer.text).toBe(200);
    expect(answer.body).toEqual({ ...created, schedule: '1h', next_run_at: isoNow() });
    // Never synced: due at once.
    expect(Math.abs(Date.parse(answer.body.next_run_at) - Date.now())).toBeLessThan(120_000);
    expect(await sealedPassword(DESTINATION)).toBe(PASSWORD);
    expect((await api('GET', '/destinations/{id}', { id: DESTINATION })).body.schedule).toBe('1h');
  });

  it('takes the url back as it was created, its password in it (200)', async () => {
    const answer = await api('PATCH', '/destinations/{id}', { id: DESTINATION, body: { url: destinationUrl } });
    expect(answer.status, answer.text).toBe(200);
    expect(answer.body).toMatchObject({ connection: { url: shownUrl }, credentials: ['password'] });
    expect(await sealedPassword(DESTINATION)).toBe(PASSWORD);
  });

  it('takes a password given apart (200), sealing it again', async () => {
    const answer = await api('PATCH', '/destinations/{id}', { id: DESTINATION, body: { password: PASSWORD } });
    expect(answer.status, answer.text).toBe(200);
    expect(answer.body).toMatchObject({ connection: { url: shownUrl }, credentials: ['password'], schedule: '1h' });
    expect(await sealedPassword(DESTINATION)).toBe(PASSWORD);
  });

  it('refuses a patch to id, type, tenant or recipient, or a bad value (422), changing nothing', async () => {
    const cases: [unknown, RegExp][] = [
      [{ type: 'duckdb' }, /^type: /],
      [{ tenant: 'tenant_001' }, /^tenant: /],
      [{ id: 'renamed' }, /^id: /],
      [{ recipient: YAML_RECIPIENT.id }, /^recipient: /],
      [{ schedule: 'weekly' }, /^body schedule: /],
      [{ connect_timeout: 'soon' }, /connect_timeout/],
      [{ product: 'nonesuch' }, /no product "nonesuch"/],
      // Pointed at another server, the stored password would go to whoever runs it: it must be given again.
      [{ url: 'postgres://postgres@203.0.113.7:5432/analytics' }, /^password: the connection now points elsewhere: give it again/],
    ];
    for (const [body, message] of cases) expectError(await api('PATCH', '/destinations/{id}', { id: DESTINATION, body }), 422, message);
    expect((await api('GET', '/destinations/{id}', { id: DESTINATION })).body).toMatchObject({
      schedule: '1h',
      product: 'engagement',
      tenant: RECIPIENT.tenant,
    });
  });

  it('tests the connection: ok, with each check listed', async () => {
    const answer = await api('POST', '/destinations/{id}/test', { id: DESTINATION });
    expect(answer.status, answer.text).toBe(200);
    expect(answer.body.ok, answer.text).toBe(true);
    expect(answer.body.checks.length).toBeGreaterThan(1);
    for (const check of answer.body.checks) {
      expect(check).toEqual({
        name: expect.any(String),
        status: expect.stringMatching(/^(pass|warn|skip)$/),
        detail: expect.any(String),
        duration_ms: expect.any(Number),
      });
    }
    expect(answer.body.checks.filter((c: { status: string }) => c.status === 'pass').length).toBeGreaterThan(0);
  });

  it('pauses (no transfer while paused: 409) and resumes', async () => {
    const paused = await api('POST', '/destinations/{id}/pause', { id: DESTINATION });
    expect(paused.status, paused.text).toBe(200);
    expect(paused.body).toMatchObject({ id: DESTINATION, paused_at: isoNow(), next_run_at: null });
    // Pausing again keeps when it was first paused.
    const again = await api('POST', '/destinations/{id}/pause', { id: DESTINATION });
    expect(again.body.paused_at).toBe(paused.body.paused_at);
    expectError(await api('POST', '/destinations/{id}/transfers', { id: DESTINATION }), 409, /paused: resume it first/);
    expect((await api('GET', '/transfers', { query: `destination=${DESTINATION}` })).body).toEqual([]);

    const resumed = await api('POST', '/destinations/{id}/resume', { id: DESTINATION });
    expect(resumed.status, resumed.text).toBe(200);
    expect(resumed.body).toMatchObject({ id: DESTINATION, paused_at: null, next_run_at: isoNow() });
  });
});

describe('transfers', () => {
  let first: string;
  let second: string;

  it('starts a transfer (202), refusing a second one while it runs (409), and records per model rows', async () => {
    // Both at once: the second reaches the runner while the first is still syncing, whichever is first.
    const answers = await Promise.all([0, 1].map(() => api('POST', '/destinations/{id}/transfers', { id: DESTINATION })));
    expect(answers.map((a) => a.status).sort(), answers.map((a) => a.text).join('\n')).toEqual([202, 409]);
    const started = answers.find((a) => a.status === 202) as Answer;
    expectError(answers.find((a) => a.status === 409) as Answer, 409, /syncing already/);
    expect(started.body).toEqual({ id: expect.any(String), destination_id: DESTINATION, status: 'running' });
    first = started.body.id;

    const transfer = await finished(first);
    expect(transfer, JSON.stringify(transfer)).toMatchObject({
      id: first,
      destination_id: DESTINATION,
      status: 'succeeded',
      error: null,
      finished_at: isoNow(),
    });
    expect(transfer.models.map((m: { model: string }) => m.model).sort()).toEqual(MODELS);
    for (const model of transfer.models) {
      const rows = sourceRows[model.model];
      expect(rows).toBeGreaterThan(0);
      expect(model, model.model).toMatchObject({ action: 'create', rows_inserted: rows, rows_updated: 0, rows_deleted: 0, error: null });
      // sync.verify is daily by default: the first transfer compares the whole model.
      expect(model.verification, model.model).toEqual({
        result: 'equal',
        source_rows: rows,
        destination_rows: rows,
        missing: 0,
        extra: 0,
        different: 0,
        verified_at: isoNow(),
      });
    }
    expect(transfer.rows_inserted).toBe(MODELS.reduce((sum, m) => sum + (sourceRows[m] as number), 0));
    expect(transfer.duration_ms).toBe(Date.parse(transfer.finished_at) - Date.parse(transfer.started_at));

    // What the transfer says it wrote is what the warehouse holds: that tenant's rows, no other's.
    for (const model of MODELS) {
      const { rows } = await database.client.query(`SELECT tenant_id, count(*)::int AS n FROM "${SCHEMA}"."${model}" GROUP BY tenant_id`);
      expect(rows, model).toEqual([{ tenant_id: RECIPIENT.tenant, n: sourceRows[model] }]);
    }
  });

  it('shows the last transfer and the next run (an hour after it started) on the destination', async () => {
    const answer = await api('GET', '/destinations/{id}', { id: DESTINATION });
    const transfer = (await api('GET', '/transfers/{id}', { id: first })).body;
    expect(answer.body.last_transfer).toEqual({ id: first, status: 'succeeded', started_at: transfer.started_at, finished_at: transfer.finished_at });
    expect(Date.parse(answer.body.next_run_at)).toBe(Date.parse(transfer.started_at) + 3600_000);
  });

  it('syncs after a patch that leaves the password out: the sealed password is kept and used', async () => {
    const patched = await api('PATCH', '/destinations/{id}', { id: DESTINATION, body: { connect_timeout: 20, schedule: '6h' } });
    expect(patched.status, patched.text).toBe(200);
    expect(patched.body).toMatchObject({
      schedule: '6h',
      connection: { url: shownUrl, schema: SCHEMA, connect_timeout: 20 },
      credentials: ['password'],
    });
    expect(await sealedPassword(DESTINATION)).toBe(PASSWORD);

    const started = await api('POST', '/destinations/{id}/transfers', { id: DESTINATION });
    expect(started.status, started.text).toBe(202);
    second = started.body.id;
    expect(second).not.toBe(first);
    const transfer = await finished(second);
    expect(transfer, JSON.stringify(transfer)).toMatchObject({
      status: 'succeeded',
      error: null,
      rows_inserted: 0,
      rows_updated: 0,
      rows_deleted: 0,
    });
  });

  it('lists transfers, most recent first, by destination, status and limit', async () => {
    const all = await api('GET', '/transfers');
    expect(all.status).toBe(200);
    expect(all.body.map((t: { id: string }) => t.id)).toEqual([second, first]);
    expect(all.body[1]).toEqual((await api('GET', '/transfers/{id}', { id: first })).body);

    const ids = async (query: string) => {
      const answer = await api('GET', '/transfers', { query });
      expect(answer.status, answer.text).toBe(200);
      return answer.body.map((t: { id: string }) => t.id);
    };
    expect(await ids(`destination=${DESTINATION}`)).toEqual([second, first]);
    expect(await ids(`destination=${YAML_DESTINATION}`)).toEqual([]);
    expect(await ids('status=succeeded')).toEqual([second, first]);
    expect(await ids('status=failed')).toEqual([]);
    expect(await ids('limit=1')).toEqual([second]);
    expect(await ids(`destination=${DESTINATION}&status=succeeded&limit=1`)).toEqual([second]);

    for (const query of ['limit=0', 'limit=501', 'limit=many', 'status=done', 'colour=blue']) {
      expectError(await api('GET', '/transfers', { query }), 422, /^query\b/);
    }
  });

  it('answers 404 for a transfer that does not exist', async () => {
    expectError(await api('GET', '/transfers/{id}', { id: '01890000-0000-7000-8000-000000000000' }), 404, /no transfer/);
    expectError(await api('GET', '/transfers/{id}', { id: 'nonesuch' }), 404, /no transfer "nonesuch"/);
  });

  it('answers /metrics only with an API key: its labels name every destination', async () => {
    expect((await fetch(`${server.url}/metrics`)).status).toBe(401);
    expect((await fetch(`${server.url}/metrics`, { headers: { authorization: 'Bearer ferry_000000000000_nope' } })).status).toBe(401);
  });

  it('counts the transfers and rows in /metrics', async () => {
    const totals = [first, second].map(async (id) => (await api('GET', '/transfers/{id}', { id })).body.rows_inserted as number);
    const inserted = (await Promise.all(totals)).reduce((a, b) => a + b, 0);
    // The counters move as the runner sees the transfer end, a moment after the state store records it.
    const deadline = Date.now() + 10_000;
    let text = '';
    for (;;) {
      const response = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${apiKey}` } });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
      text = await response.text();
      seen.push(text);
      if (/^ferry_transfers_total\{status="succeeded"\} 2$/m.test(text) || Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const metric = (pattern: RegExp) => Number(pattern.exec(text)?.[1] ?? Number.NaN);
    expect(metric(/^ferry_transfers_total\{status="succeeded"\} (\S+)$/m), text).toBe(2);
    expect(metric(/^ferry_rows_total\{destination="globex-pg",operation="inserted"\} (\S+)$/m), text).toBe(inserted);
    expect(inserted).toBeGreaterThan(0);
    expect(metric(/^ferry_transfers_running (\S+)$/m)).toBe(0);
    const lastSuccess = metric(/^ferry_destination_last_success_timestamp_seconds\{destination="globex-pg"\} (\S+)$/m);
    const transfer = (await api('GET', '/transfers/{id}', { id: second })).body;
    expect(lastSuccess).toBeCloseTo(Date.parse(transfer.finished_at) / 1000, 0);
  });
});

describe('deleting a destination', () => {
  it('deletes it (204) with its sealed password, then its recipient can go', async () => {
    const answer = await api('DELETE', '/destinations/{id}', { id: DESTINATION });
    expect(answer.status, answer.text).toBe(204);
    expect(answer.text).toBe('');
    expectError(await api('GET', '/destinations/{id}', { id: DESTINATION }), 404);
    expectError(await api('DELETE', '/destinations/{id}', { id: DESTINATION }), 404);
    expect(await sealedPassword(DESTINATION)).toBeUndefined();
    // The customer's tables stay.
    const { rows } = await database.client.query(`SELECT count(*)::int AS n FROM "${SCHEMA}".messages`);
    expect(rows[0].n).toBe(sourceRows.messages);
    // Its transfers stay in the history.
    expect((await api('GET', '/transfers', { query: `destination=${DESTINATION}` })).body).toHaveLength(2);

    expect((await api('DELETE', '/recipients/{id}', { id: RECIPIENT.id })).status).toBe(204);
    expect((await api('GET', '/recipients')).body.map((r: { id: string }) => r.id)).toEqual([YAML_RECIPIENT.id]);
  });
});

describe('a recipient deleted and created again', () => {
  // Links are kept by recipient id: one sent to the old customer must not set up a destination
  // that receives the new customer's rows.
  it('starts with no magic links: the old ones do not open for the new one', async () => {
    expectError(await api('GET', '/recipients/{id}/magic-links', { id: RECIPIENT.id }), 404);
    // The same id, another customer (tenant).
    const again = await api('POST', '/recipients', { body: { ...RECIPIENT, name: 'Not Globex', tenant: SPARE_RECIPIENT.tenant } });
    expect(again.status, again.text).toBe(201);
    const listed = await api('GET', '/recipients/{id}/magic-links', { id: RECIPIENT.id });
    expect(listed.status).toBe(200);
    // Soft: both consequences are reported, the list and the page.
    expect.soft(listed.body).toEqual([]);
    const old = await fetch(links[0]?.url as string);
    expect.soft(old.status, 'the old link opens the setup form for the new recipient').toBe(404);
    expect((await api('DELETE', '/recipients/{id}', { id: RECIPIENT.id })).status).toBe(204);
  });
});

describe('audit log', () => {
  it('records every change made through the API, most recent first, with the key that made it', async () => {
    const answer = await api('GET', '/audit', { query: 'limit=500' });
    expect(answer.status).toBe(200);
    const actor = `api-key:${apiKeyId} (tests)`;
    const entries = answer.body as { id: string; at: string; actor: string; action: string; target: string; details: Record<string, unknown> }[];
    for (const entry of entries)
      expect(entry).toEqual({
        id: expect.any(String),
        at: isoNow(),
        actor: expect.any(String),
        action: expect.any(String),
        target: expect.any(String),
        details: expect.any(Object),
      });
    const times = entries.map((e) => Date.parse(e.at));
    expect(times).toEqual([...times].sort((a, b) => b - a));

    const byApi = entries.filter((e) => e.actor === actor).reverse();
    // Each change accepted, once, in order; no refused one.
    expect(byApi.map((e) => `${e.action} ${e.target}`)).toEqual(changes);
    // Every kind of change was made here, so the comparison above covers each.
    expect(new Set(changes.map((c) => c.split(' ')[0]))).toEqual(new Set(Object.values(AUDITED)));
    expect(changes.slice(0, 3)).toEqual(['recipient.create globex', 'recipient.create initech', 'recipient.update initech']);
    // The key's creation was the CLI's; nothing else wrote to the log.
    expect(entries.filter((e) => e.actor !== actor).map((e) => `${e.actor} ${e.action} ${e.target}`)).toEqual([`cli api-key.create ${apiKeyId}`]);

    const find = (action: string, target: string) => byApi.find((e) => e.action === action && e.target === target)?.details;
    expect(find('recipient.create', 'globex')).toEqual({ name: RECIPIENT.name, tenant: RECIPIENT.tenant });
    expect(find('destination.create', DESTINATION)).toMatchObject({ recipient: RECIPIENT.id, schedule: 'manual', type: 'postgres', schema: SCHEMA });
    expect(find('destination.test', DESTINATION)).toEqual({ ok: true });
    expect(byApi.find((e) => e.action === 'destination.update' && 'password' in e.details)).toBeUndefined();
    expect(byApi.filter((e) => e.action === 'destination.update').map((e) => e.details)).toContainEqual({ credentials_set: ['password'] });
    const triggers = byApi.filter((e) => e.action === 'transfer.trigger').map((e) => e.details.transfer);
    const transfers = (await api('GET', '/transfers')).body.map((t: { id: string }) => t.id);
    expect(triggers).toEqual([...transfers].reverse());
  });

  it('names the credentials a destination was created with, never their values', async () => {
    const answer = await api('GET', '/audit', { query: `target=${DESTINATION}&limit=500` });
    const create = answer.body.find((e: { action: string }) => e.action === 'destination.create');
    // The password came inside the url: sealed as `password`, and the log should say one was set.
    expect(create.details).toMatchObject({ credentials_set: ['password'] });
  });

  it('filters by target and limits', async () => {
    const answer = await api('GET', '/audit', { query: `target=${DESTINATION}&limit=2` });
    expect(answer.status).toBe(200);
    expect(answer.body.map((e: { action: string; target: string }) => `${e.action} ${e.target}`)).toEqual([
      'destination.delete globex-pg',
      'transfer.trigger globex-pg',
    ]);
    expect((await api('GET', '/audit', { query: 'target=nothing' })).body).toEqual([]);
    expectError(await api('GET', '/audit', { query: 'limit=0' }), 422, /^query limit: /);
    // The default limit is 50: fewer entries here, so all of them.
    expect((await api('GET', '/audit')).body.length).toBe((await api('GET', '/audit', { query: 'limit=500' })).body.length);
  });
});

describe('health, readiness and the OpenAPI document', () => {
  it('/healthz and /readyz answer 200 with no key', async () => {
    const health = await request('GET', `${server.url}/healthz`, { key: null });
    expect(health.status).toBe(200);
    expect(health.body).toEqual({ status: 'ok' });
    const ready = await request('GET', `${server.url}/readyz`, { key: null });
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({ status: 'ready' });
  });

  it('answers an unknown endpoint with 404 in the API error shape', async () => {
    expectError(await request('GET', `${server.url}/api/v1/nonesuch`), 404, /no endpoint GET \/api\/v1\/nonesuch: see \/openapi\.json/);
  });

  it('/openapi.json documents exactly the endpoints exercised here, each answering 401 without a key', async () => {
    const answer = await request('GET', `${server.url}/openapi.json`, { key: null });
    expect(answer.status).toBe(200);
    const document = answer.body as {
      openapi: string;
      paths: Record<string, Record<string, { responses: Record<string, unknown>; security: unknown[] }>>;
      components: { schemas: Record<string, unknown>; securitySchemes: Record<string, unknown> };
    };
    expect(document.openapi).toBe('3.1.0');
    expect(document.components.securitySchemes).toEqual({ apiKey: expect.objectContaining({ type: 'http', scheme: 'bearer' }) });
    const documented = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(documented.sort()).toEqual([...succeeded].sort());

    for (const [path, methods] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(methods)) {
        const name = `${method.toUpperCase()} ${path}`;
        expect(Object.keys(operation.responses), name).toContain('401');
        expect(operation.security, name).toEqual([{ apiKey: [] }]);
        // Every status an endpoint answered with in these tests is one it documents.
        for (const status of statuses.get(name) ?? [])
          expect(Object.keys(operation.responses), `${name} answered ${status}`).toContain(String(status));
        // Refused without a key, whatever it is: nothing is reachable anonymously.
        const unauthenticated = await request(method.toUpperCase(), `${server.url}${path.replace('{id}', DESTINATION)}`, { key: null });
        expectError(unauthenticated, 401);
      }
    }
    // Every $ref resolves.
    for (const ref of answer.text.matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g))
      expect(document.components.schemas, ref[1]).toHaveProperty(ref[1] as string);
  });
});

describe('revoking a key', () => {
  it('a key revoked with `ferry api-keys revoke` is refused from then on (401)', async () => {
    const created = await runFerry(['api-keys', 'create', 'doomed', '-c', configFile], { cwd: dir, env });
    expect(created.exitCode, created.stderr).toBe(0);
    const doomed = created.stdout.trim();
    credentials.push(doomed);
    seen.push(created.stderr);
    expect((await api('GET', '/recipients', { key: doomed })).status).toBe(200);

    const listed = await runFerry(['api-keys', 'list', '-c', configFile], { cwd: dir, env });
    expect(listed.exitCode, listed.stderr).toBe(0);
    seen.push(listed.stdout, listed.stderr);
    const row = listed.stdout.split('\n').find((line) => / doomed /.test(line));
    const id = row?.split(/\s+/)[0] ?? '';
    expect(doomed.startsWith(`ferry_${id}_`), listed.stdout).toBe(true);

    const revoked = await runFerry(['api-keys', 'revoke', id, '-c', configFile], { cwd: dir, env });
    expect(revoked.exitCode, revoked.stderr).toBe(0);
    seen.push(revoked.stdout, revoked.stderr);
    expectError(await api('GET', '/recipients', { key: doomed }), 401, /unknown or revoked/);
    expect((await api('GET', '/recipients')).status).toBe(200);
    const audit = await api('GET', '/audit', { query: `target=${id}` });
    expect(audit.body.map((e: { actor: string; action: string }) => `${e.actor} ${e.action}`)).toEqual(['cli api-key.revoke', 'cli api-key.create']);
  });
});

describe('the server process', () => {
  it('writes its listening line alone to stdout and JSON lines to stderr, each request by route pattern', async () => {
    expect(server.stdout()).toMatch(
      /^ferry serve listening on http:\/\/127\.0\.0\.1:\d+ \(API: http:\/\/127\.0\.0\.1:\d+\/api\/v1, OpenAPI: .*\/openapi\.json\)\n$/,
    );
    const lines = server
      .stderr()
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => {
        try {
          return JSON.parse(line) as Record<string, unknown>;
        } catch {
          throw new Error(`stderr line is not JSON: ${line}`);
        }
      });
    const requests = lines.filter((line) => line.msg === 'request');
    expect(requests.length).toBeGreaterThan(100);
    expect(requests.find((line) => line.route === '/api/v1/destinations/:id' && line.method === 'PATCH' && line.status === 200)).toBeDefined();
    // Patterns only: an id (or a key) in a URL is no part of the log.
    for (const line of requests) expect(String(line.route)).not.toMatch(/globex|nowhere|acme/);
  });

  it('stops on SIGTERM', async () => {
    await server.stop();
    expect(server.stderr()).toMatch(/"msg":"stopping","signal":"SIGTERM"/);
    await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();
  });
});

describe('credentials', () => {
  it('appear in no response body, no line of the server, no audit entry and no stored destination', async () => {
    const audit = (await database.client.query('SELECT * FROM ferry_state.audit_log')).rows;
    const stored = (await database.client.query('SELECT * FROM ferry_state.managed_destinations')).rows;
    const texts = {
      responses: seen.join('\n'),
      'server stdout': server.stdout(),
      'server stderr': server.stderr(),
      'audit log': JSON.stringify(audit),
      'managed destinations': JSON.stringify(stored),
    };
    expect(seen.length).toBeGreaterThan(100);
    expect(audit.length).toBeGreaterThan(15);
    for (const credential of credentials) {
      // The whole value, as written in a URL, and an API key's secret half alone.
      const forms = [credential, encodeURIComponent(credential), ...(credential.startsWith('ferry_') ? [credential.slice(-43)] : [])];
      for (const [where, text] of Object.entries(texts)) {
        for (const form of forms) expect(text.includes(form), `${where} holds a credential (${form.slice(0, 4)}…)`).toBe(false);
      }
    }
  });
});
