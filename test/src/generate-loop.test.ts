import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDocument, type YAMLMap, type YAMLSeq } from 'yaml';
import { compileDuckDbSource, parseDbtProject } from '@ferry/generator';
import { REPO_ROOT, copyDbtProject, runFerry, snapshotTree, workspaceScratchDir } from './index.ts';

/**
 * The loop Ferry promises analytics engineers: edit a dbt model -> dbt parse -> ferry generate ->
 * the row interface, DDL and merge SQL follow. Runs the real dbt and the real CLI.
 */
const MODEL = 'messages';

let scratch: Awaited<ReturnType<typeof workspaceScratchDir>>;
let project: string;
let out: string;

beforeAll(async () => {
  scratch = await workspaceScratchDir();
  project = await copyDbtProject(join(scratch.dir, 'dbt_project'));
  out = join(scratch.dir, 'generated', 'src');
  await mkdir(join(scratch.dir, 'generated'), { recursive: true });
  await writeFile(
    join(scratch.dir, 'generated', 'tsconfig.json'),
    // As a vendor workspace's libs/generated/tsconfig.json: the declarations checked against Ferry's types.
    JSON.stringify({ extends: '../../../../tsconfig.base.json', compilerOptions: { noEmit: true, skipLibCheck: false }, include: ['src/**/*.ts'] }),
  );
});

afterAll(async () => {
  await scratch?.remove();
});

async function parseInto(name: string): Promise<string> {
  const path = join(scratch.dir, name);
  await writeFile(path, await parseDbtProject({ root: REPO_ROOT, projectDir: project }));
  return path;
}

async function generated(path: string): Promise<string> {
  return readFile(join(out, path), 'utf8');
}

/** Finds the YAML file and the entry that declare a model. */
async function modelYaml(model: string) {
  const dir = join(project, 'models');
  for (const entry of await readdir(dir, { recursive: true })) {
    if (!/\.ya?ml$/.test(entry)) continue;
    const file = join(dir, entry);
    const doc = parseDocument(await readFile(file, 'utf8'));
    const models = doc.get('models') as YAMLSeq<YAMLMap> | undefined;
    const node = models?.items.find((m) => m.get('name') === model);
    if (node) return { file, doc, node };
  }
  throw new Error(`no YAML declares model ${model}`);
}

async function typecheck(): Promise<{ exitCode: number; output: string }> {
  const result = await execa(join(REPO_ROOT, 'node_modules/.bin/tsc'), ['-p', join(scratch.dir, 'generated', 'tsconfig.json')], {
    cwd: REPO_ROOT,
    reject: false,
    all: true,
  });
  return { exitCode: result.exitCode ?? 1, output: result.all ?? '' };
}

describe('dbt model change -> dbt parse -> ferry generate', () => {
  it('the committed manifest is what dbt parse produces (run-specific fields aside)', async () => {
    const fresh = await parseDbtProject({ root: REPO_ROOT, projectDir: join(REPO_ROOT, 'dbt_project') });
    const committed = await readFile(join(REPO_ROOT, 'dbt_project', 'manifest.json'), 'utf8');
    expect(fresh === committed, 'dbt_project/manifest.json is stale: run `npx ferry manifest update`').toBe(true);
  });

  it('the committed DuckDB build script is what dbt compile produces', async () => {
    const fresh = await compileDuckDbSource({ root: REPO_ROOT, projectDir: join(REPO_ROOT, 'dbt_project') });
    const committed = await readFile(join(REPO_ROOT, 'dbt_project', 'compiled', 'duckdb.sql'), 'utf8');
    expect(fresh === committed, 'dbt_project/compiled/duckdb.sql is stale: run `npx ferry manifest update`').toBe(true);
    expect(committed).toMatch(/CREATE OR REPLACE TABLE "ferry_source"."analytics"."messages" AS/);
  });

  it('adds a column and widens a type, and the interface, DDL and merge follow', async () => {
    const before = await parseInto('before.json');
    const first = await runFerry(['generate', '--manifest', before, '--out', out]);
    expect(first.stderr).not.toMatch(/error/);
    expect(first.exitCode).toBe(0);
    expect(first.stdout).toMatch(/Generated \d+ export models/);
    const interfaceBefore = await generated(`models/${MODEL}.d.ts`);
    const postgresBefore = await generated(`sql/postgres/${MODEL}.js`);
    expect(interfaceBefore).not.toMatch(/priority/);

    // The edit an analytics engineer makes: a new column, and a varchar widened.
    const { file, doc, node } = await modelYaml(MODEL);
    const columns = node.get('columns') as YAMLSeq<YAMLMap>;
    const widened = columns.items.find((c) => /^varchar\(\d+\)$/.test(String(c.get('data_type'))));
    expect(widened, `model ${MODEL} should have a varchar(n) column to widen`).toBeDefined();
    const widenedName = String(widened!.get('name'));
    widened!.set('data_type', 'varchar(1000)');
    columns.add(doc.createNode({ name: 'priority', data_type: 'smallint', description: 'Delivery priority, 1 = urgent.' }));
    await writeFile(file, doc.toString());
    const sqlFile = join(
      project,
      'models',
      (await readdir(join(project, 'models'), { recursive: true })).find((f) => f.endsWith(`/${MODEL}.sql`) || f === `${MODEL}.sql`)!,
    );
    const sql = await readFile(sqlFile, 'utf8');
    await writeFile(sqlFile, `select base.*, cast(1 as smallint) as priority\nfrom (\n${sql.replace(/;\s*$/, '')}\n) as base\n`);

    const after = await parseInto('after.json');
    const check = await runFerry(['generate', '--check', '--manifest', after, '--out', out]);
    expect(check.exitCode).toBe(1);
    expect(check.stderr).toContain(`changed  models/${MODEL}.d.ts`);
    expect(check.stderr).toContain(`changed  sql/postgres/${MODEL}.js`);
    expect(check.stderr).toContain('Run `npx ferry generate`');

    const second = await runFerry(['generate', '--manifest', after, '--out', out]);
    expect(second.exitCode).toBe(0);
    const interfaceAfter = await generated(`models/${MODEL}.d.ts`);
    expect(interfaceAfter).toMatch(/readonly priority: number \| null;/);
    expect(interfaceAfter).toContain(`varchar(1000)`);

    const postgresAfter = await generated(`sql/postgres/${MODEL}.js`);
    expect(postgresAfter).not.toBe(postgresBefore);
    expect(postgresAfter).toMatch(/"priority" SMALLINT/i);
    expect(postgresAfter).toMatch(new RegExp(`"${widenedName}" VARCHAR\\(1000\\)`, 'i'));
    expect(postgresBefore).not.toMatch(/VARCHAR\(1000\)/i);
    expect(postgresAfter).toMatch(/addColumn: \{[\s\S]*priority: \[\s*`ALTER TABLE \{target\} ADD COLUMN IF NOT EXISTS "priority" SMALLINT`/i);
    const merge = /merge: \[([\s\S]*?)\],\n/.exec(postgresAfter)?.[1] ?? '';
    expect(merge).toContain('"priority"');

    const snowflake = await generated(`sql/snowflake/${MODEL}.js`);
    expect(snowflake).toMatch(/"PRIORITY" NUMBER\(5,0\)/);

    // A fresh generation from the same manifest is byte-identical: the check now passes.
    const again = await runFerry(['generate', '--check', '--manifest', after, '--out', out]);
    expect(again.exitCode).toBe(0);
    expect(again.stdout).toMatch(/is up to date/);
  });

  it('the generated library typechecks, and its row types reject wrong rows', async () => {
    const ok = await typecheck();
    expect(ok.output).toBe('');
    expect(ok.exitCode).toBe(0);
    const probe = join(out, 'probe.ts');
    await writeFile(
      probe,
      `import type { MessagesRow } from './models/messages.js';\nexport const wrong: Pick<MessagesRow, 'priority'> = { priority: 'high' };\n`,
    );
    const bad = await typecheck();
    expect(bad.exitCode).not.toBe(0);
    expect(bad.output).toMatch(/probe\.ts.*Type 'string' is not assignable to type 'number'/);
    await rm(probe);
  });

  it('bad input exits non-zero with the reason and writes nothing', async () => {
    const before = await snapshotTree(out);
    const missing = await runFerry(['generate', '--manifest', join(scratch.dir, 'nope.json'), '--out', out]);
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toMatch(/Cannot read the dbt manifest .*nope\.json \(no such file\)/);

    const { doc, node, file } = await modelYaml(MODEL);
    node.setIn(['config', 'meta', 'ferry', 'primary_key'], ['no_such_column']);
    await writeFile(file, doc.toString());
    const broken = await parseInto('broken.json');
    const invalid = await runFerry(['generate', '--manifest', broken, '--out', out]);
    expect(invalid.exitCode).toBe(1);
    expect(invalid.stderr).toMatch(/model "messages", column "no_such_column": is named as the primary key/);
    expect(await snapshotTree(out)).toEqual(before);
  });
});
