import type { Command } from 'commander';
import { checkLine, reportChecks } from '../output/check-report.ts';

export function registerSource(program: Command): void {
  const source = program.command('source').description('The warehouse Ferry reads export models from');
  source
    .command('test')
    .description('Check that Ferry can reach and log in to the source, and read every export model it ships')
    .option('-c, --config <path>', 'ferry.yaml to use', process.env.FERRY_CONFIG ?? 'ferry.yaml')
    .option('--json', 'print the results as JSON')
    .action(async (flags: { config: string; json?: boolean }) => {
      const [{ loadConfig }, { openRuntime }, { checkSource }] = await Promise.all([
        import('../config/load.ts'),
        import('../runtime.ts'),
        import('../connections/connection-checks.ts'),
      ]);
      const runtime = await openRuntime(await loadConfig(flags.config));
      try {
        if (!flags.json) console.log(`Checking the source (${runtime.config.source.type})`);
        reportChecks(await checkSource(runtime, (result) => flags.json || console.log(checkLine(result))), flags.json ?? false);
      } finally {
        await runtime.close();
      }
    });
}
