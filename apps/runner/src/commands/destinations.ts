import { InvalidArgumentError, type Command } from 'commander';
import { DIALECT_NAMES } from '@ferry/dialects';
import { setupSql, type DestinationType } from '@ferry/destinations';

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
    .option('--warehouse <name>', "snowflake: the virtual warehouse Ferry runs on (default <user>_wh)")
    .option('--role <name>', "snowflake: the role holding Ferry's grants (default <user>_role)")
    .option('--project <id>', 'bigquery: the project holding the dataset')
    .option('--location <location>', 'bigquery: where the dataset lives', 'US')
    .action((type: DestinationType, flags: SetupSqlFlags) => {
      process.stdout.write(setupSql(type, flags));
    });
}
