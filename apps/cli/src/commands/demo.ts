import { InvalidArgumentError, type Command } from 'commander';

/** What `ferry demo` needs of Ferry's example workspace (the `@ferry/demo` package of its repository). */
interface DemoModule {
  runDemo(flags: { dir: string; tenants: number; messages: number; seed: number }): Promise<boolean>;
}

/**
 * The demo runs Ferry's example workspace (its sample data, dbt project and generated catalog),
 * which is not part of the packages a vendor installs: it is found where Ferry's repository is
 * checked out, and explained where it is not.
 */
const DEMO_PACKAGE = '@ferry/demo';

/** A whole number of at least `min`, for an option; commander reports the error and exits 1. */
function wholeNumber(min: number) {
  return (value: string): number => {
    if (!/^\d+$/.test(value) || Number(value) < min) throw new InvalidArgumentError(`expected a whole number of at least ${min}.`);
    return Number(value);
  };
}

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description(
      "Run the whole loop on one machine, no servers, in Ferry's example workspace: sample source, two tenants, sync, change, sync, verify",
    )
    .option('--dir <path>', 'working folder: new, empty, or one an earlier demo used (its files are replaced)', '.ferry/demo')
    .option('--tenants <count>', 'tenants in the sample source (two are synced)', wholeNumber(2), 3)
    .option('--messages <count>', 'messages per tenant', wholeNumber(1), 2000)
    .option('--seed <number>', 'sample data seed', wholeNumber(0), 42)
    .action(async (flags: { dir: string; tenants: number; messages: number; seed: number }) => {
      let demo: DemoModule;
      try {
        demo = (await import(DEMO_PACKAGE)) as DemoModule;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ERR_MODULE_NOT_FOUND' || !String(error).includes(DEMO_PACKAGE)) throw error;
        throw new Error(
          "ferry demo runs Ferry's example workspace, which is not installed here. Try it in a checkout of Ferry's repository " +
            '(`npm ci && npx ferry demo`); in your own workspace, run `npx ferry plan` and `npx ferry sync`.',
        );
      }
      // The demo is read by a person, piped or not: its syncs log human lines unless told otherwise.
      process.env.FERRY_LOG_FORMAT ||= 'text';
      if (!(await demo.runDemo(flags))) process.exitCode = 1;
    });
}
