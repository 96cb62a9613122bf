// Scratch: profile a change sync at 5M rows, one tenant. Not committed.
import { join } from 'node:path';
import { rm } from 'node:fs/promises';
import pg from 'pg';
import { REPO_ROOT } from '@ferry/test';
import { applyChanges } from './changes.ts';
import { runFerry } from './contestants.ts';
import { prepareSource, recreateDatabase, workingCopy } from './source.ts';
const log = (l: string) => process.stderr.write(`${new Date().toISOString().slice(11, 23)} ${l}\n`);
const source = await prepareSource({ tenants: 1, messagesPerTenant: 5000000, seed: 1 }, log);
const phase = process.argv[2] ?? 'setup';
const dir = join(REPO_ROOT, 'bench', 'work', 'scratch');
const srcName = 'ferry_scratch_src';
const srcUrl = source.url.replace(/[^/]+$/, srcName);
const destUrl = source.url.replace(/[^/]+$/, 'ferry_scratch_dest');
async function sql(url: string, q: string) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await c.query(q);
  } finally {
    await c.end();
  }
}
if (phase === 'setup') {
  await workingCopy(source, srcName);
  await recreateDatabase('ferry_scratch_dest');
  await rm(dir, { recursive: true, force: true });
  const m = await runFerry(srcUrl, source.tenants, { kind: 'postgres', url: destUrl }, dir);
  log(`initial ${m.wallSeconds}`);
}
const rounds = Number(process.argv[3] ?? 1);
for (let i = 0; i < rounds; i++) {
  if (phase !== 'nochange') {
    const c = await applyChanges(srcUrl, 100 + i + Math.floor(Math.random() * 1e6));
    log(`changes ${JSON.stringify({ u: c.updates, i: c.inserts, d: c.deletedKeys.length })}`);
  }
  if (process.env.VACUUM) {
    await sql(destUrl, 'VACUUM ANALYZE');
  }
  const m = await runFerry(srcUrl, source.tenants, { kind: 'postgres', url: destUrl }, dir);
  log(`sync ${m.wallSeconds} keycmp ${m.keyComparisonSeconds} listed ${m.keysListed} rss ${m.peakRssMb}`);
}
