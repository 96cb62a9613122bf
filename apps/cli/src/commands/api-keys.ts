import type { Command } from 'commander';
import { table } from '../output/format.ts';

const configOption = ['-c, --config <path>', 'ferry.yaml to use (for its state store)', process.env.FERRY_CONFIG ?? 'ferry.yaml'] as const;

export function registerApiKeys(program: Command): void {
  const keys = program.command('api-keys').description('Keys for the vendor API of `ferry serve` (stored hashed; a key is shown once)');
  keys
    .command('create')
    .description('Create an API key and print it (only now: Ferry keeps its hash)')
    .argument('<name>', 'what the key is for, e.g. "onboarding-service" (shown in the audit log)')
    .option(...configOption)
    .action(async (name: string, flags: { config: string }) => {
      if (name.trim() === '') throw new Error('give the key a name: what uses it, e.g. `ferry api-keys create onboarding-service`');
      const { newApiKey } = await import('../control-plane/api-keys.ts');
      const { record, key } = newApiKey(name.trim());
      await withControlPlane(flags.config, async (store) => {
        await store.createApiKey(record);
        await store.audit({ actor: 'cli', action: 'api-key.create', target: record.id, details: { name: record.name } });
      });
      console.error(`created API key ${record.id} ("${record.name}"). Store it now: Ferry keeps only its hash and cannot show it again.`);
      console.log(key);
    });
  keys
    .command('list')
    .description('API keys: id, name, created, revoked (never the keys)')
    .option(...configOption)
    .action(async (flags: { config: string }) => {
      const listed = await withControlPlane(flags.config, (store) => store.listApiKeys());
      if (listed.length === 0) {
        console.log('No API keys. Create one with `ferry api-keys create <name>`.');
        return;
      }
      const when = (date: Date | null) => (date ? date.toISOString().replace('T', ' ').slice(0, 19) : '-');
      console.log(table([['ID', 'NAME', 'CREATED', 'REVOKED'], ...listed.map((k) => [k.id, k.name, when(k.createdAt), when(k.revokedAt)])]));
    });
  keys
    .command('revoke')
    .description('Revoke an API key: requests with it are refused from now on')
    .argument('<id>', 'the key id, as `ferry api-keys list` shows it')
    .option(...configOption)
    .action(async (id: string, flags: { config: string }) => {
      await withControlPlane(flags.config, async (store) => {
        if (!(await store.revokeApiKey(id))) {
          const known = await store.getApiKey(id);
          throw new Error(known ? `API key ${id} is already revoked` : `no API key ${id}: \`ferry api-keys list\` shows the ids`);
        }
        await store.audit({ actor: 'cli', action: 'api-key.revoke', target: id, details: {} });
      });
      console.log(`revoked API key ${id}`);
    });
}

async function withControlPlane<T>(configFile: string, work: (store: import('@ferry/state').ControlPlaneStore) => Promise<T>): Promise<T> {
  const [{ loadConfig }, { openState }] = await Promise.all([import('../config/load.ts'), import('../runtime.ts')]);
  const state = await openState(await loadConfig(configFile));
  try {
    return await work(state.controlPlane);
  } finally {
    await state.close();
  }
}
