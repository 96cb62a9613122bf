import type { Command } from 'commander';
import type { RotationProgress } from '@ferry/connections';
import { withVault } from './secrets.ts';

/** Progress lines, on stderr: stdout keeps the summary alone. */
const OUTCOMES: Record<RotationProgress['outcome'], string> = {
  rotated: 're-encrypted',
  'already-current': 'already under the primary key',
  deleted: 'deleted meanwhile',
  failed: 'left unchanged (see the error below)',
};

export function registerKeys(program: Command): void {
  const keys = program.command('keys').description('The master keys that encrypt stored secrets (FERRY_MASTER_KEY, or FERRY_MASTER_KEY_FILE)');
  keys
    .command('generate')
    .description('Print a new random master key (base64) and nothing else, e.g. `ferry keys generate > master.key`')
    .action(async () => {
      const { generateMasterKey } = await import('@ferry/connections');
      console.log(generateMasterKey());
    });
  keys
    .command('rotate')
    .description('Re-encrypt every secret under the primary (first) master key, e.g. with FERRY_MASTER_KEY=<new>,<old>')
    .option('-c, --config <path>', 'ferry.yaml to use (for its state store)', process.env.FERRY_CONFIG ?? 'ferry.yaml')
    .action(async (flags: { config: string }) => {
      const result = await withVault(flags.config, (vault) =>
        vault.rotate(({ name, outcome, fromKeyId, done, total }) => {
          console.error(`[${done}/${total}] ${name}: ${OUTCOMES[outcome]}${outcome === 'rotated' ? ` (was under ${fromKeyId})` : ''}`);
        }),
      );
      console.log(
        `${result.rotated} secret(s) re-encrypted, ${result.alreadyCurrent} already under the primary key ${result.primaryKeyId}. ` +
          `Every secret is now under ${result.primaryKeyId}: drop the older keys once every runner lists ${result.primaryKeyId} first.`,
      );
    });
}
