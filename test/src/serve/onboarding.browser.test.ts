import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { chromium, type Browser, type Page } from 'playwright-core';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  EXAMPLE_PROJECT,
  REPO_ROOT,
  buildSampleDuckDBSource,
  createTempDatabase,
  controlPlaneCredentials,
  startFerryServer,
  startTestSshServer,
  type FerryServerProcess,
  type TempDatabase,
  type TestSshServer,
} from '../index.ts';

/**
 * The customer onboarding flow end to end, in Debian's Chromium driven by playwright-core: the
 * vendor creates a recipient and a magic link through the API; the customer opens the link, fills
 * in a Postgres destination reached through an SSH bastion (the test sshd), tests the connection
 * and saves; the scheduler runs the first transfer; the customer's status page and the vendor's
 * console show it succeeded with its row counts; the link no longer works. Screenshots of each
 * page go to test/artifacts/onboarding (the README's come from here).
 */
const CHROMIUM = process.env.FERRY_TEST_CHROMIUM ?? '/usr/bin/chromium';
const SHOTS = join(REPO_ROOT, 'test', 'artifacts', 'onboarding');
const RECIPIENT = { id: 'initech', name: 'Initech', tenant: 'tenant_002' };
const SCHEMA = 'initech_data';

let dir: string;
let database: TempDatabase;
let sshd: TestSshServer;
let server: FerryServerProcess;
let browser: Browser;
let page: Page;
let apiKey: string;
let linkUrl: string;
let masterKey: string;

async function api(method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
  const response = await fetch(`${server.url}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${apiKey}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, json: await response.json().catch(() => null) };
}

async function shot(name: string): Promise<void> {
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ferry-onboarding-'));
  await mkdir(SHOTS, { recursive: true });
  let source: string;
  [source, database, sshd] = await Promise.all([
    buildSampleDuckDBSource(dir, { seed: 23, tenants: 3, messagesPerTenant: 60 }),
    createTempDatabase('ferry_onboarding'),
    startTestSshServer(),
  ]);
  const configFile = join(dir, 'ferry.yaml');
  // No destination in git: this vendor onboards every customer through magic links.
  await writeFile(
    configFile,
    stringify({
      project: EXAMPLE_PROJECT,
      source: { type: 'duckdb', path: source },
      products: { engagement: ['messages', 'recipients', 'workflows'] },
    }),
  );
  const made = await controlPlaneCredentials(configFile, dir, database.url, 'onboarding-test');
  ({ masterKey, apiKey } = made);
  const { env } = made;
  server = await startFerryServer({
    configFile,
    cwd: dir,
    env, // The bastion here is on loopback: allowed for this test only (a customer may not name one by default).
    args: ['--tick', '1', '--vendor-name', 'Acme Notifications', '--allow-private-addresses'],
  });
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
  page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await sshd?.close();
  await database?.drop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('onboarding a customer through a magic link', () => {
  it('the vendor creates a recipient and a magic link through the API', async () => {
    expect((await api('POST', '/recipients', RECIPIENT)).status).toBe(201);
    const link = await api('POST', `/recipients/${RECIPIENT.id}/magic-links`, {
      product: 'engagement',
      destination_types: ['postgres'],
      schedule: '1h',
    });
    expect(link.status).toBe(201);
    linkUrl = (link.json as { url: string }).url;
    expect(linkUrl).toMatch(new RegExp(`^${server.url}/connect/initech/[0-9a-f]{12}\\.[A-Za-z0-9_-]{43}$`));
  });

  it('the customer opens the link: a form for the warehouse and the bastion, the setup SQL beside it, under a strict CSP', async () => {
    const response = await page.goto(linkUrl);
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
    await expect(page.locator('h1').textContent()).resolves.toBe('Connect your warehouse');
    await expect(page.locator('#setup-sql').textContent()).resolves.toContain('CREATE');
    await shot('1-magic-link-form');
  });

  it('fills in Postgres through the SSH bastion and tests the connection: every check passes', async () => {
    await page.fill('#schema', SCHEMA);
    // The warehouse's address as the bastion sees it; the password comes from the bastion's side (trust auth here).
    await page.fill('#url', database.url);
    await page.fill('#ssh_host', sshd.host);
    await page.fill('#ssh_port', String(sshd.port));
    await page.fill('#ssh_user', sshd.user);
    await page.fill('#ssh_private_key', sshd.privateKey);
    await page.fill('#ssh_passphrase', sshd.passphrase);
    await page.fill('#ssh_host_key', sshd.hostKeyFingerprint);
    await page.click('#test-connection');
    await page.waitForSelector('#checks');
    const checks = await page.locator('#checks li').allTextContents();
    expect(checks.join('\n')).toContain('ssh tunnel');
    expect(checks.filter((c) => c.startsWith('fail'))).toEqual([]);
    await expect(page.locator('#checks h2').textContent()).resolves.toBe('Connection works');
    // The setup SQL now names what was typed.
    await expect(page.locator('#setup-sql').textContent()).resolves.toContain(SCHEMA);
    await shot('2-connection-tested');
  });

  it('saves: the customer lands on its status page, and the scheduler runs the first transfer', async () => {
    await Promise.all([page.waitForURL(/\/status\/initech-postgres\//), page.click('#save')]);
    await shot('3-status-page-saved');
    const deadline = Date.now() + 90_000;
    let status = '';
    while (Date.now() < deadline) {
      await page.reload();
      status =
        (await page
          .locator('#transfers tr.transfer .status')
          .first()
          .textContent()
          .catch(() => '')) ?? '';
      if (status === 'succeeded' || status === 'failed') break;
      await page.waitForTimeout(1000);
    }
    expect(status).toBe('succeeded');
    // Its row counts are the rows now in the customer's schema.
    const cells = await page.locator('#transfers tr.transfer').first().locator('td.num').allTextContents();
    const inserted = Number(cells[0]);
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      const counts = await client.query<{ n: string }>(
        `SELECT (SELECT count(*) FROM ${SCHEMA}.messages) + (SELECT count(*) FROM ${SCHEMA}.recipients) + (SELECT count(*) FROM ${SCHEMA}.workflows) AS n`,
      );
      expect(inserted).toBeGreaterThan(0);
      expect(inserted).toBe(Number(counts.rows[0]?.n));
    } finally {
      await client.end();
    }
    await shot('4-status-page-succeeded');
  });

  it('the vendor console shows the destination succeeded, its transfer with row counts and charts, and the used link', async () => {
    await page.goto(`${server.url}/console`);
    await page.waitForURL(/\/console\/login$/);
    await page.fill('#api_key', apiKey);
    await Promise.all([page.waitForURL(/\/console$/), page.click('#sign-in')]);
    const row = page.locator('#destinations tr', { hasText: 'initech-postgres' });
    await expect(row.locator('.status').first().textContent()).resolves.toBe('succeeded');
    await shot('5-console-destinations');

    await page.click('a[href="/console/destinations/initech-postgres"]');
    await page.waitForSelector('#rows-chart canvas');
    const transferRow = await page.locator('#transfers tbody tr').first().locator('td.num').allTextContents();
    expect(Number(transferRow[0])).toBeGreaterThan(0);
    await shot('6-console-destination');

    await page.goto(`${server.url}/console/recipients/initech`);
    await expect(page.locator('#magic-links tbody tr .status').first().textContent()).resolves.toBe('used');
    await shot('7-console-recipient');
  });

  it('the link no longer works', async () => {
    const response = await page.goto(linkUrl);
    expect(response?.status()).toBe(410);
    await expect(page.locator('h1').textContent()).resolves.toBe('This link has been used');
    await shot('8-link-used');
  });

  it('no page showed a credential: the bastion key, its passphrase, the master key or the API key', async () => {
    const pages = [linkUrl, `${server.url}/console`, `${server.url}/console/destinations/initech-postgres`];
    const texts: string[] = [server.stderr(), server.stdout()];
    for (const url of pages) {
      await page.goto(url);
      texts.push(await page.content());
    }
    const all = texts.join('\n');
    for (const secret of [sshd.privateKey.split('\n')[1] as string, sshd.passphrase, masterKey, apiKey]) expect(all).not.toContain(secret);
  });
});
