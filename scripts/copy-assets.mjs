// Copies the files a package reads at run time (not TypeScript, so tsc leaves them behind) from
// its source folder into its build output, keeping their relative paths.
// Usage: node scripts/copy-assets.mjs <from> <to> <suffix>
import { cpSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const [from, to, suffix] = process.argv.slice(2);
if (!from || !to || !suffix) throw new Error('usage: copy-assets.mjs <from> <to> <suffix>');
for (const path of readdirSync(from, { recursive: true, encoding: 'utf8' })) {
  if (path.endsWith(suffix)) cpSync(join(from, path), join(to, path));
}
