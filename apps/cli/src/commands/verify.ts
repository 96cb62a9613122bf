import type { Command } from 'commander';
import type { ModelVerificationOutcome } from '@ferry/sync';

interface VerifyFlags {
  config: string;
  destination?: string;
  model?: string;
  repair?: boolean;
}

export function registerVerify(program: Command): void {
  program
    .command('verify')
    .description('Compare every row and column of each destination table with its tenant slice; --repair re-syncs the rows that differ')
    .option('-c, --config <path>', 'ferry.yaml to use', process.env.FERRY_CONFIG ?? 'ferry.yaml')
    .option('-d, --destination <id>', 'only this destination')
    .option('-m, --model <name>', 'only this export model')
    .option('--repair', 're-sync exactly the rows found missing, extra or different')
    .action(async (flags: VerifyFlags) => {
      const outcomes = await runVerify(flags);
      const unsettled = outcomes.filter((o) => o.result === 'different' || o.result === 'failed');
      const repaired = outcomes.filter((o) => o.result === 'repaired');
      console.log(
        `${outcomes.length - unsettled.length - repaired.length} of ${outcomes.length} model(s) equal to the source` +
          (repaired.length > 0 ? `, ${repaired.length} repaired` : '') +
          (unsettled.length > 0 ? `, ${unsettled.length} ${flags.repair ? 'failed' : 'differ or failed'}` : '') +
          '.',
      );
      // A destination that differs is a failure to report even when nothing crashed.
      if (unsettled.length > 0) process.exitCode = 1;
    });
}

async function runVerify(flags: VerifyFlags): Promise<ModelVerificationOutcome[]> {
  const [{ verifyAll }, { loadConfig }, { openRuntime }, { createReporter }] = await Promise.all([
    import('@ferry/sync'),
    import('../config/load.ts'),
    import('../runtime.ts'),
    import('../output/reporter.ts'),
  ]);
  const selection = { ...(flags.destination ? { destination: flags.destination } : {}), ...(flags.model ? { model: flags.model } : {}) };
  const runtime = await openRuntime(await loadConfig(flags.config), selection);
  const events = createReporter();
  try {
    // As many destinations at once as a sync would (sync.concurrency).
    const verified = await verifyAll(
      runtime.targets,
      runtime.openSource,
      runtime.state,
      { ...runtime.options, repair: flags.repair ?? false },
      events,
    );
    for (const { destinationId, error } of verified) {
      if (error !== null) console.error(`✗ ${destinationId}: ${error}`);
    }
    return verified.flatMap(({ outcomes }) => outcomes);
  } finally {
    await runtime.close();
  }
}
