import { InvalidArgumentError, type Command } from 'commander';
import { DIALECT_NAMES } from '@ferry/dialects';
import type { DestinationType } from '@ferry/destinations';
import type { CheckResult } from '@ferry/connections';
import { checkLine, reportChecks } from '../output/check-report.ts';
import type { Runtime } from '../runtime.ts';

interface SetupSqlFlags {
  user: string;
  schema: string;
  database?: string;
  warehouse?: string;
  role?: string;
  project?: string;
  location?: string;
}

/** Destination types by name; every destination type is a dialect of the same name. */
function destinationType(value: string): DestinationType {
  if (!(DIALECT_NAMES as readonly string[]).includes(value)) {
    throw new InvalidArgumentError(`unknown destination type "${value}": expected one of ${DIALECT_NAMES.join(', ')}`);
  }
  return value as DestinationType;
}

export function registerDestinations(program: Command): void {
  const destinations = program.command('destinations').description("What Ferry needs from a customer's warehouse");
  destinations
    .command('setup-sql')
    .description("Print the SQL a customer's administrator runs to give Ferry a least-privilege login and its own schema")
    .argument('<type>', `the warehouse: ${DIALECT_NAMES.join(', ')}`, destinationType)
    .option('--user <name>', "Ferry's login (BigQuery: the service account's email)", 'ferry')
    .option('--schema <name>', 'the schema (BigQuery: dataset) Ferry writes to', 'ferry')
    .option('--database <name>', 'the database holding the schema (postgres, redshift, snowflake)')
    .option('--warehouse <name>', 'snowflake: the virtual warehouse Ferry runs on (default <user>_wh)')
    .option('--role <name>', "snowflake: the role holding Ferry's grants (default <user>_role)")
    .option('--project <id>', 'bigquery: the project holding the dataset')
    .option('--location <location>', 'bigquery: where the dataset lives', 'US')
    .action(async (type: DestinationType, flags: SetupSqlFlags) => {
      const { setupSql } = await import('@ferry/destinations');
      process.stdout.write(setupSql(type, flags));
    });

  destinations
    .command('test')
    .description('Check that Ferry can reach, log in to and write to a destination: each check passes or says what to fix')
    .argument('<id>', 'the destination id in ferry.yaml')
    .option('-c, --config <path>', 'ferry.yaml to use', process.env.FERRY_CONFIG ?? 'ferry.yaml')
    .option('--json', 'print the results as JSON')
    .action(async (id: string, flags: { config: string; json?: boolean }) => {
      const [{ loadConfig }, { openRuntime }, { checkDestination }] = await Promise.all([
        import('../config/load.ts'),
        import('../runtime.ts'),
        import('../connections/connection-checks.ts'),
      ]);
      const runtime = await openRuntime(await loadConfig(flags.config), { destination: id });
      try {
        const entry = runtime.config.destinations.find((d) => d.id === id);
        if (!entry) throw new Error(`no destination "${id}" in ${flags.config}`);
        if (!flags.json) console.log(`Checking destination "${id}" (${entry.type})`);
        const results = await checkDestination(entry, (result) => flags.json || console.log(checkLine(result)));
        // Like every check after a failure, not tried then.
        const tenant = results.some((r) => r.status === 'fail') ? skipped('a check above failed') : await tenantCheck(runtime, id);
        if (!flags.json) console.log(checkLine(tenant));
        reportChecks([...results, tenant], flags.json ?? false);
      } finally {
        await runtime.close();
      }
    });
}

/** Whether the destination's tenant value has rows at the source: a misspelt one syncs nothing, "successfully". */
async function tenantCheck(runtime: Runtime, id: string): Promise<CheckResult> {
  const { tenantWithoutRows } = await import('@ferry/sync');
  const started = performance.now();
  const target = runtime.targets.find((t) => t.id === id);
  const timed = (status: CheckResult['status'], detail: string): CheckResult => ({
    name: 'tenant has rows',
    status,
    detail,
    durationMs: Math.round(performance.now() - started),
  });
  if (target === undefined) return skipped('the destination receives no model');
  try {
    const warning = await tenantWithoutRows(target, runtime.openSource, runtime.options);
    return warning === undefined ? timed('pass', `tenant "${target.tenant}" has rows at the source`) : timed('warn', warning);
  } catch {
    // Source problems are `ferry source test`'s to report, with their fixes.
    return skipped('the source cannot be read: run `ferry source test`');
  }
}

function skipped(why: string): CheckResult {
  return { name: 'tenant has rows', status: 'skip', detail: why, durationMs: 0 };
}
