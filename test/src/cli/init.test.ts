import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { EXAMPLE_PROJECT, REPO_ROOT } from '../harness/paths.ts';
import { buildSampleDuckDBSource } from '../harness/cli.ts';
import { runFerry, snapshotTree } from '../harness/workdir.ts';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ferry-init-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the ferry CLI as built', () => {
  it('runs from its compiled output and prints its version', async () => {
    expect(existsSync(join(REPO_ROOT, 'apps/cli/dist/main.js'))).toBe(true);
    const { version } = JSON.parse(await readFile(join(REPO_ROOT, 'apps/cli/package.json'), 'utf8')) as { version: string };
    for (const flag of ['--version', '-V']) {
      const result = await runFerry([flag]);
      expect(result.exitCode).toBe(0);
      expect(result.stdout).toBe(version);
    }
  });

  it('plans without loading TypeScript, ts-morph or tsx: only `ferry generate` needs them', async () => {
    await buildSampleDuckDBSource(dir, { seed: 1, tenants: 1, messagesPerTenant: 10 });
    await writeFile(
      join(dir, 'ferry.yaml'),
      stringify({
        project: EXAMPLE_PROJECT,
        source: { type: 'duckdb', path: 'ferry_source.duckdb' },
        destinations: [{ id: 'sandbox', tenant: 'tenant_001', models: ['messages'], type: 'duckdb', path: 'sandbox.duckdb' }],
      }),
    );
    // A module hook that writes down every module the CLI resolves.
    const log = join(dir, 'resolved.txt');
    const hooks = `import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) { const found = await next(specifier, context); appendFileSync(${JSON.stringify(log)}, found.url + '\\n'); return found; }`;
    const register = `import { register } from 'node:module'; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(hooks)}`)});`;
    const plan = await execa(
      'node',
      ['--import', `data:text/javascript,${encodeURIComponent(register)}`, join(REPO_ROOT, 'apps/cli/bin/ferry.js'), 'plan'],
      {
        cwd: dir,
        reject: false,
      },
    );
    expect(plan.exitCode, plan.stderr).toBe(0);
    const resolved = (await readFile(log, 'utf8')).split('\n');
    expect(resolved.some((url) => url.includes('/apps/cli/dist/'))).toBe(true);
    expect(resolved.filter((url) => /node_modules\/(typescript|ts-morph|tsx)\/|\/generator\/dist\/(index|generate)\.js/.test(url))).toEqual([]);
  });
});

describe('ferry init', () => {
  it('writes a workspace around an existing dbt project, pointing ferry.yaml at it', async () => {
    await mkdir(join(dir, 'analytics'));
    await writeFile(join(dir, 'analytics', 'dbt_project.yml'), 'name: analytics\n');
    const result = await runFerry(['init', dir, '--dbt-project', join(dir, 'analytics'), '--dbt-target', 'prod']);
    expect(result.exitCode, result.stderr).toBe(0);
    for (const file of [
      'package.json',
      'nx.json',
      'tsconfig.base.json',
      'ferry.yaml',
      'libs/generated/package.json',
      '.github/workflows/ferry.yml',
    ]) {
      expect(existsSync(join(dir, file)), file).toBe(true);
    }
    const config = parse(await readFile(join(dir, 'ferry.yaml'), 'utf8')) as { project: Record<string, string> };
    expect(config.project).toEqual({
      dbt_project: 'analytics',
      dbt_target: 'prod',
      manifest: 'libs/generated/manifest.json',
      generated: 'libs/generated',
    });
    // No starter project beside the vendor's own.
    expect(existsSync(join(dir, 'dbt_project'))).toBe(false);
    const workflow = await readFile(join(dir, '.github/workflows/ferry.yml'), 'utf8');
    expect(workflow).toContain('npx ferry generate --check');
  });

  it('writes a starter dbt project when there is none', async () => {
    const result = await runFerry(['init', dir]);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(await readFile(join(dir, 'dbt_project/models/exports/accounts.yml'), 'utf8')).toContain('export: true');
  });

  it('never overwrites a file: a second run, or a folder with files of its own, leaves them and says so', async () => {
    await writeFile(join(dir, 'package.json'), '{ "name": "mine" }\n');
    await writeFile(join(dir, 'ferry.yaml'), '# my own\n');
    const first = await runFerry(['init', dir]);
    expect(first.exitCode, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/package\.json: exists, left as it is; add "@ferry\/cli": "\d+\.\d+\.\d+" to its dependencies/);
    expect(first.stdout).toMatch(/ferry\.yaml: exists, left as it is; add this section to it:\n\s+project:/);
    expect(await readFile(join(dir, 'package.json'), 'utf8')).toBe('{ "name": "mine" }\n');
    expect(await readFile(join(dir, 'ferry.yaml'), 'utf8')).toBe('# my own\n');

    const before = await snapshotTree(dir);
    const second = await runFerry(['init', dir]);
    expect(second.exitCode).toBe(0);
    expect(second.stdout).not.toContain('Wrote in');
    expect(await snapshotTree(dir)).toEqual(before);
  });

  it('refuses a --dbt-project without dbt_project.yml, and writes nothing', async () => {
    const result = await runFerry(['init', dir, '--dbt-project', join(dir, 'nowhere')]);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('no dbt_project.yml');
    expect(await snapshotTree(dir)).toEqual({});
  });
});

describe('commands outside a workspace', () => {
  it('generate says there is no workspace and how to make one', async () => {
    const result = await runFerry(['generate'], { cwd: dir });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('no Ferry workspace here');
    expect(result.stderr).toContain('npx ferry init');
  });
});
