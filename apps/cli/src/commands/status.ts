import type { Command } from 'commander';
import type { StateStore, Transfer, Verification } from '@ferry/state';
import { formatBytes, formatDuration, table } from '../output/format.ts';
import { redactSecrets } from '../output/redact.ts';

interface StatusFlags {
  config: string;
  destination?: string;
  limit: string;
  json?: boolean;
}

export function registerStatus(program: Command): void {
  program
    .command('status')
    .description('Recent transfers: per model rows inserted/updated/deleted, bytes, duration, lag, schema changes, errors')
    .option('-c, --config <path>', 'ferry.yaml to use', process.env.FERRY_CONFIG ?? 'ferry.yaml')
    .option('-d, --destination <id>', 'only this destination')
    .option('-n, --limit <count>', 'how many transfers', '10')
    .option('--json', 'print JSON')
    .action(async (flags: StatusFlags) => {
      const [{ loadConfig }, { checkSelection, openState }, { withManagedDestinations }] = await Promise.all([
        import('../config/load.ts'),
        import('../runtime.ts'),
        import('../control-plane/managed-destinations.ts'),
      ]);
      const config = await loadConfig(flags.config);
      // Status reads the state store only: no warehouse, so no secret and no master key is needed.
      const state = await openState(config, process.env, { lookOnly: true });
      try {
        // The destinations created through `ferry serve` too.
        checkSelection(await withManagedDestinations(config, state), flags.destination ? { destination: flags.destination } : {});
        const transfers = await state.recentTransfers({
          ...(flags.destination ? { destinationId: flags.destination } : {}),
          limit: Number.parseInt(flags.limit, 10) || 10,
        });
        if (flags.json) {
          console.log(redactSecrets(JSON.stringify(transfers, null, 2)));
        } else {
          const verifications = await state.latestVerifications(flags.destination ? { destinationId: flags.destination } : {});
          console.log(`${formatTransfers(transfers, await tableNames(state, transfers))}\n\n${formatVerifications(verifications)}`);
        }
      } finally {
        await state.close();
      }
    });
}

/**
 * `destination/model` -> the table the customer sees, where its name is not the model's (a
 * `destination_name` in the dbt model's meta), as the state store last applied it: status names
 * both, since the vendor knows the model and the customer the table.
 */
async function tableNames(state: StateStore, transfers: readonly Transfer[]): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  for (const { destinationId, models } of transfers) {
    for (const { model } of models) {
      const key = `${destinationId}/${model}`;
      if (names.has(key)) continue;
      const applied = (await state.getModelState(destinationId, model))?.appliedSpec as { destinationName?: unknown } | undefined;
      if (typeof applied?.destinationName === 'string' && applied.destinationName !== model) names.set(key, applied.destinationName);
    }
  }
  return names;
}

export function formatTransfers(transfers: readonly Transfer[], tables: ReadonlyMap<string, string> = new Map()): string {
  if (transfers.length === 0) return 'No transfers yet. Run `ferry sync`.';
  const rows: string[][] = [['STARTED', 'DESTINATION', 'STATUS', 'MODEL', 'ACTION', '+INS', '~UPD', '-DEL', 'BYTES', 'TIME', 'LAG', 'NOTES']];
  for (const transfer of transfers) {
    const started = transfer.startedAt.toISOString().replace('T', ' ').slice(0, 19);
    const warnings = transfer.warnings.map((w) => `warning: ${w}`);
    if (transfer.models.length === 0 || warnings.length > 0) {
      rows.push([
        started,
        transfer.destinationId,
        transfer.status,
        '',
        '',
        '',
        '',
        '',
        '',
        '',
        '',
        redactSecrets([transfer.error ?? '', ...warnings].filter(Boolean).join('; ')),
      ]);
    }
    for (const m of transfer.models) {
      rows.push([
        started,
        transfer.destinationId,
        transfer.status,
        tables.has(`${transfer.destinationId}/${m.model}`) ? `${m.model} (table ${tables.get(`${transfer.destinationId}/${m.model}`)})` : m.model,
        m.action,
        String(m.rowsInserted),
        String(m.rowsUpdated),
        String(m.rowsDeleted),
        formatBytes(m.bytes),
        formatDuration(m.durationMs),
        m.lagSeconds === null ? '' : formatDuration(m.lagSeconds * 1000),
        redactSecrets([...m.schemaChanges, ...(m.error ? [`error: ${m.error}`] : [])].join('; ')),
      ]);
    }
  }
  return table(rows);
}

/** The latest verification of each model: "verified at … equal", or what differed, by key. */
export function formatVerifications(verifications: readonly Verification[]): string {
  if (verifications.length === 0) return 'No verifications yet. Run `ferry verify`, or set sync.verify in ferry.yaml.';
  const rows: string[][] = [['VERIFIED AT', 'DESTINATION', 'MODEL', 'RESULT', 'SOURCE ROWS', 'DEST ROWS', 'TIME', 'DETAILS']];
  for (const v of verifications) {
    const differences = (['missing', 'extra', 'different'] as const)
      .filter((kind) => v[kind] > 0)
      .map((kind) => `${v[kind]} ${kind} (keys ${v.sampleKeys[kind].join(' ')}${v[kind] > v.sampleKeys[kind].length ? ' ...' : ''})`);
    rows.push([
      v.verifiedAt.toISOString().replace('T', ' ').slice(0, 19),
      v.destinationId,
      v.model,
      v.result,
      String(v.sourceRows),
      String(v.destinationRows),
      formatDuration(v.durationMs),
      redactSecrets([...differences, ...(v.error ? [`error: ${v.error}`] : []), ...v.notes].join('; ')),
    ]);
  }
  return `Verifications (latest per model):\n${table(rows)}`;
}
