import type { Command } from 'commander';
import type { DestinationResult } from '@ferry/sync';
import type { Runtime, Selection } from '../runtime.ts';
import { table } from '../output/format.ts';

interface SyncFlags {
  config: string;
  destination?: string;
  model?: string;
  fullRefresh?: boolean;
  due?: boolean;
}

function selectionOf(flags: SyncFlags): Selection {
  return {
    ...(flags.destination ? { destination: flags.destination } : {}),
    ...(flags.model ? { model: flags.model } : {}),
    fullRefresh: flags.fullRefresh ?? false,
    ...(flags.due ? { due: new Date() } : {}),
  };
}

function withSelectionOptions(command: Command): Command {
  return command
    .option('-c, --config <path>', 'ferry.yaml to use', process.env.FERRY_CONFIG ?? 'ferry.yaml')
    .option('-d, --destination <id>', 'only this destination')
    .option('-m, --model <name>', 'only this export model')
    .option('--full-refresh', 'reload every selected table in a shadow copy and swap it in');
}

export function registerSync(program: Command): void {
  withSelectionOptions(program.command('sync').description('Sync destinations: new, updated and deleted rows, schema changes'))
    .option('--due', 'only the destinations whose schedule is due now (for cron; `ferry serve` schedules by itself)')
    .action(async (flags: SyncFlags) => {
      if (flags.due && flags.destination)
        throw new Error('--due picks destinations by their schedules: leave out -d, or leave out --due to sync that one now');
      const results = await runSync(flags.config, selectionOf(flags));
      if (results.length === 0) {
        // Not a failure: a workspace that onboards every customer through `ferry serve` starts with none.
        console.log(
          flags.due
            ? 'No destination is due.'
            : 'No destination to sync: ferry.yaml lists none, none was created through `ferry serve`, or every one is paused.',
        );
        return;
      }
      const failed = results.filter((r) => r.status === 'failed');
      console.log(`${results.length - failed.length} of ${results.length} destination(s) synced.`);
      // The reasons too: piped, the log on stderr is JSON, and a summary without them says nothing to act on.
      if (failed.length > 0) console.log(await failureReasons(failed));
      if (failed.length > 0) process.exitCode = 1;
    });

  withSelectionOptions(program.command('plan').description('Show what the next sync will do, per destination and model')).action(
    async (flags: SyncFlags) => {
      const [{ emptyTenantWarning, planDestination }, { loadConfig }, { openRuntime }] = await Promise.all([
        import('@ferry/sync'),
        import('../config/load.ts'),
        import('../runtime.ts'),
      ]);
      const runtime = await openRuntime(await loadConfig(flags.config), selectionOf(flags), process.env, { lookOnly: true });
      try {
        const rows: string[][] = [['DESTINATION', 'MODEL', 'ACTION', 'WHY']];
        for (const target of runtime.targets) {
          for (const plan of await planDestination(target, runtime.state, runtime.options)) {
            rows.push([target.id, plan.model, plan.action, plan.reasons.join('; ') || 'rows changed since the last sync']);
          }
        }
        console.log(table(rows));
        for (const target of runtime.targets) {
          const warning = await emptyTenantWarning(target, runtime.openSource, runtime.state, runtime.options);
          if (warning) console.error(`warning: destination "${target.id}": ${warning}`);
        }
        // What the sync would fail on at the source, said now rather than after a load.
        const problems = await sourceProblems(runtime);
        for (const problem of problems) console.error(`error: ${problem}`);
        if (problems.length > 0) process.exitCode = 1;
      } finally {
        await runtime.close();
      }
    },
  );
}

/**
 * What the next sync would fail on at the source: an unreachable source, a selected model whose
 * relation or exported column dbt has not built there (or the catalog no longer has), or rows
 * with a NULL cursor in a model that refuses them.
 */
async function sourceProblems(runtime: Runtime): Promise<string[]> {
  const { checkSourceBeforeWriting } = await import('@ferry/sync');
  const source = runtime.openSource();
  try {
    await source.connect();
  } catch (error) {
    return [`the source cannot be read: ${(error as Error).message}`];
  }
  try {
    const problems = new Set<string>();
    for (const target of runtime.targets) {
      for (const model of target.models) {
        const spec = runtime.config.catalog.exportModels[model];
        if (spec === undefined) continue; // openRuntime refused models the catalog lacks
        await checkSourceBeforeWriting(source, spec, target.tenant).catch((error: Error) => problems.add(error.message));
      }
    }
    return [...problems];
  } finally {
    await source.close().catch(() => {});
  }
}

/** Each failed destination's reason, and each failed model's, one per line, secrets masked. */
async function failureReasons(failed: readonly DestinationResult[]): Promise<string> {
  const { redactSecrets } = await import('../output/redact.ts');
  const lines: string[] = [];
  for (const result of failed) {
    const models = result.models.filter((m) => m.error !== null);
    lines.push(`✗ ${result.destinationId}: ${result.error ?? 'failed'}`);
    for (const model of models) lines.push(`  ✗ ${model.model}: ${model.error}`);
  }
  return redactSecrets(lines.join('\n'));
}

/** Loads ferry.yaml and syncs the selected destinations, reporting as it goes. */
export async function runSync(configFile: string, selection: Selection, env: NodeJS.ProcessEnv = process.env): Promise<DestinationResult[]> {
  const [{ syncAll }, { loadConfig }, { openRuntime }, { createReporter }] = await Promise.all([
    import('@ferry/sync'),
    import('../config/load.ts'),
    import('../runtime.ts'),
    import('../output/reporter.ts'),
  ]);
  const runtime = await openRuntime(await loadConfig(configFile, env), selection, env);
  try {
    const results = await syncAll(runtime.targets, runtime.openSource, runtime.state, runtime.options, createReporter());
    // A stored destination that cannot be used is a failed destination: reported, and the run exits 1.
    const unusable = runtime.invalid.map(
      ({ destinationId, problem }): DestinationResult => ({
        destinationId,
        transferId: null,
        status: 'failed',
        models: [],
        verifications: [],
        error: problem,
      }),
    );
    return [...results, ...unusable];
  } finally {
    await runtime.close();
  }
}
