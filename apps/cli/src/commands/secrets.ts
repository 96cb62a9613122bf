import type { Command } from 'commander';
import type { SecretVault } from '@ferry/connections';
import { table } from '../output/format.ts';
import { registerSecret } from '../output/redact.ts';

interface ConfigFlags {
  config: string;
}

const configOption = ['-c, --config <path>', 'ferry.yaml to use (for its state store)', process.env.FERRY_CONFIG ?? 'ferry.yaml'] as const;

export function registerSecrets(program: Command): void {
  const secrets = program
    .command('secrets')
    .description('Credentials kept encrypted in the state store, for ${secret:NAME} in ferry.yaml (master key: FERRY_MASTER_KEY)');
  secrets
    .command('set')
    .description('Store a secret, read from stdin (never the command line, which `ps` and shell history show)')
    .argument('<name>', 'the secret: letters, digits, _ . - (starting with a letter or _)')
    .option(...configOption)
    .action(async (name: string, flags: ConfigFlags) => {
      const value = await readValue(name);
      const { keyId } = await withVault(flags.config, (vault) => vault.set(name, value));
      console.log(`stored secret "${name}" (key ${keyId})`);
    });
  secrets
    .command('list')
    .description('Stored secrets: name, the key each is encrypted under, last change (never values)')
    .option(...configOption)
    .action(async (flags: ConfigFlags) => {
      const listed = await withVault(flags.config, (vault) => vault.list());
      if (listed.length === 0) {
        console.log('No secrets stored. Add one with `ferry secrets set <name> < file`.');
        return;
      }
      const when = (date: Date) => date.toISOString().replace('T', ' ').slice(0, 19);
      console.log(table([['NAME', 'KEY', 'UPDATED'], ...listed.map((s) => [s.name, s.keyId, when(s.updatedAt)])]));
    });
  secrets
    .command('delete')
    .description('Remove a secret from the state store')
    .argument('<name>', 'the secret')
    .option(...configOption)
    .action(async (name: string, flags: ConfigFlags) => {
      await withVault(flags.config, (vault) => vault.delete(name));
      console.log(`deleted secret "${name}"`);
    });
}

/**
 * Runs `work` on the vault over ferry.yaml's state store (FERRY_STATE_URL wins), with the master
 * keys of this process's environment. Needs no warehouse and resolves no `${secret:NAME}`, so a
 * secret can be stored before the ferry.yaml that references it is usable.
 */
export async function withVault<T>(configFile: string, work: (vault: SecretVault) => Promise<T>): Promise<T> {
  const [{ openVault }, { loadConfig }, { openState }] = await Promise.all([
    import('@ferry/connections'),
    import('../config/load.ts'),
    import('../runtime.ts'),
  ]);
  const state = await openState(await loadConfig(configFile));
  try {
    return await work(openVault(state, process.env));
  } finally {
    await state.close();
  }
}

/**
 * The secret's value: all of stdin, less one trailing newline (what `echo` and editors add).
 * A terminal is refused rather than read: the value would be echoed on screen and kept in its
 * scrollback.
 */
async function readValue(name: string): Promise<string> {
  if (process.stdin.isTTY) {
    throw new Error(
      `ferry secrets set reads the value from stdin, not a terminal: pipe it in, e.g. \`ferry secrets set ${name} < value.txt\` ` +
        `or \`read -rs VALUE && printf '%s' "$VALUE" | ferry secrets set ${name}\``,
    );
  }
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks));
  } catch {
    throw new Error(`the value for secret "${name}" on stdin is not UTF-8 text: store text (base64-encode binary values)`);
  }
  const value = text.replace(/\r?\n$/, '');
  if (value === '') throw new Error(`no value for secret "${name}" on stdin: pipe the value in, e.g. \`ferry secrets set ${name} < value.txt\``);
  // Masked in anything this process prints from now on, whoever wrote the text.
  registerSecret(value);
  return value;
}
