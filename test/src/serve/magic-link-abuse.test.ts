import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStateStore } from '@ferry/state';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import {
  EXAMPLE_PROJECT,
  POSTGRES_ADMIN_URL,
  buildSampleDuckDBSource,
  createTempDatabase,
  controlPlaneCredentials,
  startFerryServer,
  withDatabase,
  type FerryServerProcess,
  type TempDatabase,
} from '../index.ts';

/**
 * The customer's magic-link pages under abuse, through plain HTTP against the built CLI's
 * `ferry serve`: expired, used, raced, tampered, borrowed and orphaned links, forged forms and
 * guessing at speed. Each refusal is checked by its status, its page's <h1>, and by what it must
 * not have done: no destination created, the link still unused. The state store and the
 * customer's warehouse share one temporary Postgres database.
 */

const PRODUCT = 'engagement';
/** Hostile on purpose: the form shows both names, and must show them as text, never as markup. */
const VENDOR_NAME = 'Initrode <script>alert(1)</script> <b style="color:red">Data</b>';
const RECIPIENT = { id: 'umbrella', name: 'Umbrella <script>alert(2)</script>', tenant: 'tenant_001' };
const OTHER_RECIPIENT = { id: 'hooli', name: 'Hooli', tenant: 'tenant_002' };
const MOVING_RECIPIENT = { id: 'vandelay', name: 'Vandelay', tenant: 'tenant_003' };
const DELETED_RECIPIENT = { id: 'wonka', name: 'Wonka', tenant: 'tenant_004' };
/**
 * The warehouse password the customer types. Postgres here trusts local logins, so any password
 * connects; FERRY_TEST_POSTGRES_URL's is used when it has one, so the saves still log in.
 */
const PASSWORD = decodeURIComponent(new URL(POSTGRES_ADMIN_URL).password) || `Pw-${randomBytes(12).toString('base64url')}`;

const FORM = 'Connect your warehouse';
const INVALID = 'This link is not valid';
const EXPIRED = 'This link has expired';
const USED = 'This link has been used';
const FORM_EXPIRED = 'This form has expired';
const STATUS = 'Your destination';

let dir: string;
let database: TempDatabase;
let server: FerryServerProcess;
/** A second server on the same store, whose page rate limit is low enough to reach. */
let limitedServer: FerryServerProcess;
let strictServer: FerryServerProcess;
let masterKey: string;
let apiKey: string;
/** The warehouse's url with the password in it, as the customer types it. */
let destinationUrl: string;

/** Every customer page answered (not the redirects): the header and markup checks go over all of them. */
const pages: Visit[] = [];
/** The secret part of every link and status token seen, and the password: none may reach the server's log. */
const secrets: string[] = [PASSWORD];
/** The destinations the tests saved on purpose: GET /destinations must list exactly these. */
const saved: string[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ferry-magic-abuse-'));
  let source: string;
  [source, database] = await Promise.all([
    buildSampleDuckDBSource(dir, { seed: 29, tenants: 2, messagesPerTenant: 10 }),
    createTempDatabase('ferry_magic_abuse'),
  ]);
  const url = new URL(withDatabase(POSTGRES_ADMIN_URL, database.name));
  url.password = encodeURIComponent(PASSWORD);
  destinationUrl = url.toString();

  const configFile = join(dir, 'ferry.yaml');
  // No destination and no recipient in git: everything here is made through the API and the pages.
  await writeFile(
    configFile,
    stringify({ project: EXAMPLE_PROJECT, source: { type: 'duckdb', path: source }, products: { [PRODUCT]: ['messages', 'recipients'] } }),
  );
  const made = await controlPlaneCredentials(configFile, dir, database.url, 'abuse-tests');
  ({ masterKey, apiKey } = made);
  const { env } = made;

  // These tests open well over the default 30 pages a minute from one address: the main server's
  // limit is raised out of the way, and the limit itself is tested on its own server below.
  server = await startFerryServer({
    configFile,
    cwd: dir,
    env,
    // The customers' warehouse here is on loopback; the default refusal of that is tested on the limited server.
    args: ['--no-scheduler', '--page-rate-limit', '1000', '--vendor-name', VENDOR_NAME, '--allow-private-addresses'],
  });
  // Started after the first, which has migrated the store by now.
  limitedServer = await startFerryServer({ configFile, cwd: dir, env, args: ['--no-scheduler', '--page-rate-limit', '5'] });
  // As a vendor runs it: customers may not point Ferry at loopback or private addresses.
  strictServer = await startFerryServer({ configFile, cwd: dir, env, args: ['--no-scheduler', '--page-rate-limit', '1000'] });
  for (const recipient of [RECIPIENT, OTHER_RECIPIENT, MOVING_RECIPIENT, DELETED_RECIPIENT]) {
    const answer = await api('POST', '/recipients', recipient);
    expect(answer.status, JSON.stringify(answer.json)).toBe(201);
  }
});

afterAll(async () => {
  await Promise.all([server?.stop(), limitedServer?.stop(), strictServer?.stop()]);
  await database?.drop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

interface Visit {
  readonly path: string;
  readonly status: number;
  readonly headers: Headers;
  readonly html: string;
  readonly h1: string | undefined;
}

interface Link {
  readonly id: string;
  readonly recipient: string;
  /** `/connect/<recipient>/<token>` */
  readonly path: string;
  readonly token: string;
}

interface LinkView {
  readonly id: string;
  readonly status: 'active' | 'used' | 'expired';
  readonly used_at: string | null;
  readonly destination_id: string | null;
}

async function api<T = unknown>(method: string, path: string, body?: unknown, on = server): Promise<{ status: number; json: T }> {
  const response = await fetch(`${on.url}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${apiKey}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, json: (await response.json().catch(() => null)) as T };
}

/** One customer page: a GET, or a POST of `form` urlencoded; redirects are not followed, so a save's 303 is seen. */
async function visit(
  path: string,
  options: { form?: Record<string, string>; cookie?: string; on?: FerryServerProcess; headers?: Record<string, string> } = {},
): Promise<Visit> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.cookie !== undefined) headers.cookie = `ferry_csrf=${options.cookie}`;
  if (options.form) headers['content-type'] = 'application/x-www-form-urlencoded';
  const response = await fetch(`${(options.on ?? server).url}${path}`, {
    method: options.form ? 'POST' : 'GET',
    headers,
    redirect: 'manual',
    ...(options.form ? { body: new URLSearchParams(options.form).toString() } : {}),
  });
  const html = await response.text();
  const answer = { path, status: response.status, headers: response.headers, html, h1: /<h1>([^<]*)<\/h1>/.exec(html)?.[1] };
  if (response.status !== 303) pages.push(answer);
  return answer;
}

function expectPage(answer: Visit, status: number, h1: string): void {
  expect(answer.status, `${answer.path}: ${answer.html.slice(0, 2000)}`).toBe(status);
  expect(answer.h1, answer.path).toBe(h1);
}

/** Opens a link's form (200) and returns its CSRF pair: the cookie it set and the hidden field, the same token. */
async function openForm(path: string): Promise<{ cookie: string; field: string }> {
  const answer = await visit(path);
  expectPage(answer, 200, FORM);
  const cookie = /(?:^|[,\s])ferry_csrf=([^;,\s]+)/.exec(answer.headers.get('set-cookie') ?? '')?.[1];
  const field = /name="_csrf" value="([^"]+)"/.exec(answer.html)?.[1];
  expect(cookie, 'the form sets the ferry_csrf cookie').toMatch(/^[A-Za-z0-9_-]{43}$/);
  expect(field).toBe(cookie);
  return { cookie: cookie as string, field: field as string };
}

/** The form as the customer fills it in to save a Postgres destination in a schema of its own. */
function saveForm(csrf: string, schema = uniqueSchema(), action = 'save'): Record<string, string> {
  return { _csrf: csrf, type: 'postgres', url: destinationUrl, schema, action };
}

function uniqueSchema(): string {
  return `ml_${randomBytes(4).toString('hex')}`;
}

async function createLink(recipient: string): Promise<Link> {
  const answer = await api<{ id: string; url: string }>('POST', `/recipients/${recipient}/magic-links`, {
    product: PRODUCT,
    destination_types: ['postgres'],
  });
  expect(answer.status, JSON.stringify(answer.json)).toBe(201);
  const { pathname } = new URL(answer.json.url);
  const token = pathname.split('/').at(-1) as string;
  expect(token).toMatch(/^[0-9a-f]{12}\.[A-Za-z0-9_-]{43}$/);
  secrets.push(token.split('.')[1] as string);
  return { id: answer.json.id, recipient, path: pathname, token };
}

async function linkView(link: Pick<Link, 'id' | 'recipient'>): Promise<LinkView | undefined> {
  const answer = await api<LinkView[]>('GET', `/recipients/${link.recipient}/magic-links`);
  expect(answer.status).toBe(200);
  return answer.json.find((l) => l.id === link.id);
}

async function expectUnused(link: Link): Promise<void> {
  expect(await linkView(link)).toMatchObject({ status: 'active', used_at: null, destination_id: null });
}

/** The destinations made through the API or a link: exactly those the tests saved on purpose. */
async function expectDestinations(): Promise<void> {
  const answer = await api<{ id: string; managed_by: string }[]>('GET', '/destinations');
  expect(answer.status).toBe(200);
  expect(answer.json.map((d) => d.id).sort()).toEqual([...saved].sort());
}

/** The status-page token a save redirected to, from its location header. */
function statusOf(answer: Visit, destination: string): { path: string; token: string } {
  expect(answer.status, answer.html).toBe(303);
  const location = answer.headers.get('location') ?? '';
  const match = new RegExp(`^/status/${destination}/([0-9a-f]{12}\\.[A-Za-z0-9_-]{43})$`).exec(location);
  expect(match, location).not.toBeNull();
  const token = match?.[1] as string;
  secrets.push(token.split('.')[1] as string);
  return { path: location, token };
}

/** `token` with its last character changed. */
function tampered(token: string): string {
  return `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`;
}

describe('an expired link', () => {
  it('is refused (410) to a GET and to a POST, and creates nothing', async () => {
    // Made as Ferry makes one, but expired an hour ago: the API cannot create a link in the past.
    const id = randomBytes(6).toString('hex');
    const token = `${id}.${randomBytes(32).toString('base64url')}`;
    secrets.push(token.split('.')[1] as string);
    const store = await openStateStore(database.url);
    try {
      await store.controlPlane.createMagicLink({
        id,
        recipientId: RECIPIENT.id,
        tenant: RECIPIENT.tenant,
        tokenHash: createHash('sha256').update(token).digest('hex'),
        destinationTypes: ['postgres'],
        product: PRODUCT,
        schedule: '24h',
        createdBy: 'test',
        expiresAt: new Date(Date.now() - 3_600_000),
      });
    } finally {
      await store.close();
    }
    const path = `/connect/${RECIPIENT.id}/${token}`;
    expect(await linkView({ id, recipient: RECIPIENT.id })).toMatchObject({ status: 'expired', used_at: null });

    expectPage(await visit(path), 410, EXPIRED);
    // A valid CSRF pair from a live link's form: the refusal must come from the link, not the form.
    const { cookie, field } = await openForm((await createLink(RECIPIENT.id)).path);
    expectPage(await visit(path, { cookie, form: saveForm(field) }), 410, EXPIRED);

    expect(await linkView({ id, recipient: RECIPIENT.id })).toMatchObject({ status: 'expired', used_at: null, destination_id: null });
    await expectDestinations();
  });
});

describe('a used link', () => {
  let link: Link;
  let csrf: { cookie: string; field: string };
  let status: { path: string; token: string };
  const destination = `${RECIPIENT.id}-postgres`;

  it('saves one destination through the form, then lands on its status page (303)', async () => {
    link = await createLink(RECIPIENT.id);
    csrf = await openForm(link.path);
    const answer = await visit(link.path, { cookie: csrf.cookie, form: saveForm(csrf.field) });
    status = statusOf(answer, destination);
    saved.push(destination);
    await expectDestinations();
    expect(await linkView(link)).toMatchObject({ status: 'used', used_at: expect.any(String), destination_id: destination });
  });

  it('is refused afterwards (410) to a GET and to a second save, which creates nothing', async () => {
    expectPage(await visit(link.path), 410, USED);
    expectPage(await visit(link.path, { cookie: csrf.cookie, form: saveForm(csrf.field) }), 410, USED);
    await expectDestinations();
    expect((await linkView(link))?.destination_id).toBe(destination);
  });

  it('its status page opens with its own token and destination only (404 otherwise)', async () => {
    const page = await visit(status.path);
    expectPage(page, 200, STATUS);
    expect(page.html).toContain(`<strong>${destination}</strong>`);

    expectPage(await visit(`/status/${destination}-2/${status.token}`), 404, INVALID);
    expectPage(await visit(`/status/${destination}/${tampered(status.token)}`), 404, INVALID);
    // The status token shares the link's id: the link's own token must not pass for it.
    expectPage(await visit(`/status/${destination}/${link.token}`), 404, INVALID);
    expectPage(await visit(`/status/${destination}/${status.token.split('.')[0]}.${randomBytes(32).toString('base64url')}`), 404, INVALID);
  });
});

describe('two saves racing on one link', () => {
  it('save one destination: one 303, the other told the link was used (410)', async () => {
    // Ids are `<recipient>-<type>`, then -2: the used link's save (above) took the first.
    const first = `${RECIPIENT.id}-postgres`;
    const destination = saved.includes(first) ? `${first}-2` : first;
    const link = await createLink(RECIPIENT.id);
    const { cookie, field } = await openForm(link.path);
    // Two clicks on Save, both sent before either answers: same form, same schema.
    const form = saveForm(field);
    const answers = await Promise.all([visit(link.path, { cookie, form }), visit(link.path, { cookie, form })]);
    // Counted before the assertions, so that the later tests' "nothing created" holds whatever happened here.
    if (answers.some((a) => a.status === 303)) saved.push(destination);
    const detail = answers.map((a) => `${a.status} ${a.h1 ?? ''} ${a.html.match(/<li>.*?<\/li>/gs)?.join(' ') ?? ''}`).join('\n');
    expect(answers.map((a) => a.status).sort(), `one save wins, the other is told the link was used; got:\n${detail}`).toEqual([303, 410]);
    const winner = answers.find((a) => a.status === 303) as Visit;
    const loser = answers.find((a) => a.status !== 303) as Visit;
    expectPage(loser, 410, USED);

    const status = statusOf(winner, destination);
    await expectDestinations();
    expect(await linkView(link)).toMatchObject({ status: 'used', destination_id: destination });
    expectPage(await visit(status.path), 200, STATUS);
    // A status token opens its own destination's page only, not another of the same recipient.
    if (destination !== first) expectPage(await visit(`/status/${first}/${status.token}`), 404, INVALID);
  });
});

describe('a tampered token', () => {
  it('is not valid (404) whether its secret, its id or its shape was changed; nothing is created and the link still works', async () => {
    const link = await createLink(RECIPIENT.id);
    const other = await createLink(RECIPIENT.id);
    const { cookie, field } = await openForm(link.path);
    const [id, secret] = link.token.split('.') as [string, string];
    const base = `/connect/${RECIPIENT.id}`;
    const forged = [
      tampered(link.token),
      `${randomBytes(6).toString('hex')}.${secret}`,
      // Another live link's id with this link's secret.
      `${other.id}.${secret}`,
      `${id.slice(0, 11)}g.${secret}`,
      `${id}${secret}`,
      `${id}.${secret.slice(0, 42)}`,
      `${link.token}A`,
      `${id}.`,
      'not-a-token',
    ];
    for (const token of forged) {
      expectPage(await visit(`${base}/${encodeURIComponent(token)}`), 404, INVALID);
      expectPage(await visit(`${base}/${encodeURIComponent(token)}`, { cookie, form: saveForm(field) }), 404, INVALID);
    }
    // The real token under a recipient that does not exist.
    expectPage(await visit(`/connect/nobody/${link.token}`), 404, INVALID);

    await expectDestinations();
    await expectUnused(link);
    await expectUnused(other);
    expectPage(await visit(link.path), 200, FORM);
  });

  it('a destination type the link does not offer is refused (404), one taking a file on the server included', async () => {
    const link = await createLink(RECIPIENT.id);
    const { cookie, field } = await openForm(link.path);
    for (const type of ['redshift', 'duckdb']) {
      const form = { ...saveForm(field), type, path: join(dir, 'planted.duckdb') };
      expectPage(await visit(link.path, { cookie, form }), 404, INVALID);
    }
    await expectDestinations();
    await expectUnused(link);
  });
});

describe("another recipient's token", () => {
  it('does not open under this recipient (404), and nothing is created for either', async () => {
    const theirs = await createLink(OTHER_RECIPIENT.id);
    // The attacker holds a live link of its own, so a valid CSRF pair too.
    const { cookie, field } = await openForm(theirs.path);
    const borrowed = `/connect/${RECIPIENT.id}/${theirs.token}`;
    expectPage(await visit(borrowed), 404, INVALID);
    expectPage(await visit(borrowed, { cookie, form: saveForm(field) }), 404, INVALID);
    await expectDestinations();
    await expectUnused(theirs);
  });
});

describe("a link whose recipient's tenant is no longer the one it was made for", () => {
  it('stops working once the recipient changes tenant (404), creating nothing', async () => {
    const link = await createLink(MOVING_RECIPIENT.id);
    const { cookie, field } = await openForm(link.path);
    const patched = await api('PATCH', `/recipients/${MOVING_RECIPIENT.id}`, { tenant: 'tenant_013' });
    expect(patched.status, JSON.stringify(patched.json)).toBe(200);
    expectPage(await visit(link.path), 404, INVALID);
    expectPage(await visit(link.path, { cookie, form: saveForm(field) }), 404, INVALID);
    await expectDestinations();
    await expectUnused(link);
  });

  it('dies with its recipient: a recipient re-created with the same id and tenant does not inherit it (404)', async () => {
    const link = await createLink(DELETED_RECIPIENT.id);
    const { cookie, field } = await openForm(link.path);
    expect((await api('DELETE', `/recipients/${DELETED_RECIPIENT.id}`)).status).toBe(204);
    expectPage(await visit(link.path), 404, INVALID);
    expect((await api('POST', '/recipients', DELETED_RECIPIENT)).status).toBe(201);
    expectPage(await visit(link.path), 404, INVALID);
    expectPage(await visit(link.path, { cookie, form: saveForm(field) }), 404, INVALID);
    await expectDestinations();
    expect((await api('GET', `/recipients/${DELETED_RECIPIENT.id}/magic-links`)).json).toEqual([]);
  });
});

describe('CSRF', () => {
  it('refuses a save without the cookie, or whose field is not the cookie (403); nothing is created and the link still works', async () => {
    const link = await createLink(RECIPIENT.id);
    const { cookie, field } = await openForm(link.path);
    const other = randomBytes(32).toString('base64url');
    const forgeries: { cookie?: string; form: Record<string, string> }[] = [
      { form: saveForm(field) },
      { cookie, form: saveForm(other) },
      { cookie, form: saveForm(`${field.slice(0, -1)}${field.endsWith('A') ? 'B' : 'A'}`) },
      { cookie, form: (({ _csrf: _, ...rest }) => rest)(saveForm(field)) },
      { cookie: other, form: saveForm(field) },
    ];
    for (const forgery of forgeries) expectPage(await visit(link.path, forgery), 403, FORM_EXPIRED);
    await expectDestinations();
    await expectUnused(link);
    expectPage(await visit(link.path), 200, FORM);
  });
});

describe('a failed connection test', () => {
  it('shows the form again with what was typed, and never the API key or the master key', async () => {
    const link = await createLink(RECIPIENT.id);
    const { cookie, field } = await openForm(link.path);
    const schema = uniqueSchema();
    // Nothing listens on port 1: the reachability check fails at once.
    const unreachable = `postgres://postgres:${encodeURIComponent(PASSWORD)}@127.0.0.1:1/${database.name}`;
    const answer = await visit(link.path, { cookie, form: { ...saveForm(field, schema, 'test'), url: unreachable } });
    expectPage(answer, 422, FORM);
    expect(answer.html).toContain('Connection test failed');
    expect(answer.html).toContain(`value="${schema}"`);
    expect(answer.html).toContain(`value="${unreachable}"`);

    // References typed into the fields stay text: never the server's environment or its sealed secrets.
    const references = {
      ...saveForm(field, schema, 'test'),
      url: `postgres://postgres@127.0.0.1:1/${database.name}`,
      password: '${FERRY_MASTER_KEY}',
    };
    const again = await visit(link.path, { cookie, form: references });
    expectPage(again, 422, FORM);
    expect(again.html).toContain('value="${FERRY_MASTER_KEY}"');
    for (const page of [answer, again]) {
      expect(page.html).not.toContain(masterKey);
      expect(page.html).not.toContain(apiKey);
    }
    await expectDestinations();
    await expectUnused(link);
  });
});

describe('what a customer may not make Ferry do', () => {
  it("connect to the vendor's own network: a warehouse or bastion on a loopback or private address is refused (422) before any connection", async () => {
    const link = await createLink(RECIPIENT.id);
    const form = await visit(link.path, { on: strictServer });
    const csrf = /name="_csrf" value="([^"]+)"/.exec(form.html)?.[1] as string;
    const direct = await visit(link.path, { on: strictServer, cookie: csrf, form: saveForm(csrf, uniqueSchema(), 'test') });
    expect(direct.status).toBe(422);
    expect(direct.html).toContain('the warehouse: 127.0.0.1 is not a public address');
    expect(direct.html).not.toContain('id="checks"');
    const bastion = { ...saveForm(csrf), ssh_host: '10.1.2.3', ssh_user: 'tunnel', ssh_password: 'x', ssh_host_key: `SHA256:${'A'.repeat(43)}` };
    const throughBastion = await visit(link.path, { on: strictServer, cookie: csrf, form: bastion });
    expect(throughBastion.status).toBe(422);
    expect(throughBastion.html).toContain('ssh.host: 10.1.2.3 is not a public address');
    await expectUnused(link);
    await expectDestinations();
  });

  it('read a file on its machine, reach a socket, or fill in a secret: url parameters other than sslmode are refused (422)', async () => {
    const link = await createLink(RECIPIENT.id);
    const { cookie, field } = await openForm(link.path);
    for (const [parameter, value] of [
      ['sslrootcert', '/etc/passwd'],
      ['host', '/var/run/postgresql'],
      ['application_name', '${secret:destination.other.password}'],
    ]) {
      const url = `${destinationUrl}?${parameter}=${encodeURIComponent(value as string)}`;
      const answer = await visit(link.path, { cookie, form: { ...saveForm(field), url } });
      expect(answer.status, parameter).toBe(422);
      expect(answer.html).toContain(`url: the parameter &#34;${parameter}&#34; is not allowed`);
    }
    await expectUnused(link);
    await expectDestinations();
  });
});

describe('the page rate limit', () => {
  it('answers 429 with retry-after from the 6th page a minute (--page-rate-limit 5), whatever the page, and leaves the API alone', async () => {
    const link = await createLink(RECIPIENT.id);
    const on = limitedServer;
    // Good and bad tokens count alike: guessing is what the limit is for.
    const firsts = [link.path, `/connect/${RECIPIENT.id}/${tampered(link.token)}`, link.path, `/connect/${RECIPIENT.id}/x`, link.path];
    const statuses = [];
    for (const path of firsts) statuses.push((await visit(path, { on })).status);
    expect(statuses).toEqual([200, 404, 200, 404, 200]);

    const sixth = await visit(link.path, { on });
    expectPage(sixth, 429, 'Too many attempts');
    expect(sixth.headers.get('retry-after')).toBe('60');
    // A forwarded-for header is not the client's address: it cannot start a new window.
    expect((await visit(link.path, { on, headers: { 'x-forwarded-for': '203.0.113.9' } })).status).toBe(429);
    expect((await visit('/status/x/y', { on })).status).toBe(429);
    expect((await visit(link.path, { on, cookie: 'c', form: { _csrf: 'c' } })).status).toBe(429);
    expect((await api('GET', '/recipients', undefined, on)).status).toBe(200);
    await expectUnused(link);
  });
});

describe('every customer page', () => {
  it('carries a strict CSP and x-frame-options DENY, and has no inline script or style attribute', () => {
    // Every kind of page went through here: the form, each refusal, the status page, the rate limit's.
    expect(new Set(pages.map((p) => p.status))).toEqual(new Set([200, 403, 404, 410, 422, 429]));
    for (const page of pages) {
      const csp = page.headers.get('content-security-policy') ?? '';
      expect(csp, page.path).toContain("default-src 'none'");
      expect(csp, page.path).toContain("script-src 'self'");
      expect(page.headers.get('x-frame-options'), page.path).toBe('DENY');
      expect(page.html, page.path).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/i);
      expect(page.html, page.path).not.toMatch(/<[a-z][^>]*\sstyle\s*=/i);
    }
    // The hostile names reached the form, as text.
    const form = pages.find((p) => p.h1 === FORM) as Visit;
    expect(form.html).toContain('Initrode &#60;script&#62;alert(1)&#60;/script&#62;');
    expect(form.html).toContain('Umbrella &#60;script&#62;alert(2)&#60;/script&#62;');
  });

  it('never shows the API key or the master key, and the server logs no token secret nor the password', () => {
    for (const page of pages) {
      expect(page.html, page.path).not.toContain(apiKey);
      expect(page.html, page.path).not.toContain(masterKey);
    }
    for (const target of [server, limitedServer]) {
      const log = target.stderr();
      // The log did record the link requests (by route pattern), so its silence on secrets means something.
      expect(log).toContain('/connect/:recipient/:token');
      for (const secret of secrets) expect(log).not.toContain(secret);
    }
  });
});
