import { createRequire } from 'node:module';
import { Command, CommanderError } from 'commander';
import { registerGenerate } from './commands/generate.ts';
import { registerInit } from './commands/init.ts';
import { registerManifest } from './commands/manifest.ts';
import { registerStatus } from './commands/status.ts';
import { registerSync } from './commands/sync.ts';
import { registerVerify } from './commands/verify.ts';
import { registerDemo } from './commands/demo.ts';
import { registerDestinations } from './commands/destinations.ts';
import { registerSource } from './commands/source.ts';
import { registerSecrets } from './commands/secrets.ts';
import { registerKeys } from './commands/keys.ts';
import { registerApiKeys } from './commands/api-keys.ts';
import { registerServe } from './commands/serve.ts';
import { redactSecrets } from './output/redact.ts';

/**
 * Errors about the user's input (ferry.yaml, the manifest, a secret, setup-sql flags): their
 * message is the whole story, so no stack even with FERRY_DEBUG. Known by name, so that printing
 * one never loads the module that throws it (the generator takes seconds to load).
 */
const INPUT_ERRORS = new Set(['ConfigError', 'GeneratorError', 'ProjectError', 'SecretError', 'SetupSqlError']);

const { version } = createRequire(import.meta.url)('../package.json') as { version: string };

const program = new Command()
  .name('ferry')
  .description("Ship each customer's slice of your dbt models into their own data warehouse.")
  .version(version, '-V, --version', "print Ferry's version")
  .option('--log-format <format>', 'how progress and events are logged on stderr: text, or json (pino lines); default: text on a terminal, else json')
  .hook('preAction', (command) => {
    // Read where the reporter is made, as FERRY_LOG_FORMAT is: the option wins over the variable.
    const format = command.opts<{ logFormat?: string }>().logFormat;
    if (format !== undefined && format !== 'json' && format !== 'text') command.error(`error: --log-format must be json or text, not "${format}"`);
    if (format !== undefined) process.env.FERRY_LOG_FORMAT = format;
  })
  .showHelpAfterError()
  .exitOverride()
  // Commander quotes what it could not parse, which may be a secret typed as an option.
  .configureOutput({ writeErr: (text) => process.stderr.write(redactSecrets(text)) });

// Each command imports what it runs on (config parser, drivers, sync engine, generator) in its
// action, so that starting the CLI loads only the command definitions: `--help` and every
// command pay only for what they use.
registerInit(program);
registerGenerate(program);
registerManifest(program);
registerSync(program);
registerVerify(program);
registerStatus(program);
registerDemo(program);
registerDestinations(program);
registerSource(program);
registerSecrets(program);
registerKeys(program);
registerApiKeys(program);
registerServe(program);

// An error nothing caught would otherwise reach stderr as Node prints it, secrets and all.
for (const event of ['uncaughtException', 'unhandledRejection'] as const) {
  process.on(event, (error: unknown) => {
    process.exitCode = reportError(error);
    process.exit();
  });
}

try {
  await program.parseAsync(process.argv);
} catch (error) {
  process.exitCode = reportError(error);
}

/** Prints an error the user can act on and returns the exit code. */
function reportError(error: unknown): number {
  if (error instanceof CommanderError) {
    // Commander has already printed usage errors and help; only its exit code matters.
    return error.exitCode;
  }
  if (error instanceof Error && INPUT_ERRORS.has(error.name)) {
    console.error(`error: ${redactSecrets(error.message)}`);
    return 1;
  }
  console.error(`error: ${redactSecrets((error as Error).message ?? String(error))}`);
  if (process.env.FERRY_DEBUG) console.error(redactSecrets((error as Error).stack ?? ''));
  return 1;
}
