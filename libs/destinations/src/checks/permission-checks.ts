import { bindRelations, type ModelSql, type Relations } from '@ferry/dialects';
import type { CheckStep } from '@ferry/connections';
import type { Destination } from '../destination.ts';
import { PROBE_SQL } from './probe-sql.generated.ts';

const ROWS = [
  ['ferry-check', '1', 'first', '2026-01-01 00:00:00+00'],
  ['ferry-check', '2', 'second', '2026-01-01 00:00:00+00'],
];

async function* csv(rows: readonly (readonly string[])[]): AsyncGenerator<Buffer> {
  yield Buffer.from(rows.map((row) => `${row.join(',')}\n`).join(''));
}

/**
 * Each permission a sync needs, tried on a connected destination with Ferry's own SQL for a
 * probe table: create the schema (or use it), create a table, write staged rows, merge them,
 * drop the staging table and the probe table. `cleanup` drops what a failed step left behind.
 * @param connected the destination, connected by an earlier check (so read when a step runs)
 */
export function destinationPermissionChecks(connected: () => Destination): { steps: CheckStep[]; cleanup(): Promise<void> } {
  let probeSql: ProbeSql | undefined;
  const probeOf = () => (probeSql ??= renderProbe(connected()));
  const steps: CheckStep[] = [
    {
      name: 'create schema',
      run: async () => {
        await connected().ensureSchema();
        return `schema ${connected().schema} exists, or was created`;
      },
    },
    {
      name: 'create table',
      run: async () => {
        const { destination, sql, bound, relations } = probeOf();
        await destination.dropTable(sql.table);
        await destination.execute(bound(sql.createTable));
        return `created ${relations.target}`;
      },
    },
    {
      name: 'write',
      run: async () => {
        const { destination, sql, bound, relations, columns } = probeOf();
        await destination.execute(bound([...sql.dropStaging, ...sql.createStaging]));
        const { rows } = await destination.loadCsv(relations.staging as string, columns, csv(ROWS));
        if (rows !== ROWS.length) throw new Error(`loaded ${rows} rows into ${relations.staging}, expected ${ROWS.length}`);
        return `loaded ${rows} rows into the staging table ${relations.staging}`;
      },
    },
    {
      name: 'merge',
      run: async () => {
        const { destination, sql, bound, relations } = probeOf();
        await destination.transaction((session) => session.execute(bound(sql.merge)));
        const count = (await destination.query(bound(sql.countRows).join(';\n')))[0]?.[0];
        if (Number(count) !== ROWS.length) throw new Error(`the merge left ${String(count)} rows in ${relations.target}, expected ${ROWS.length}`);
        return `merged ${ROWS.length} rows into ${relations.target}`;
      },
    },
    {
      name: 'drop its own tables',
      run: async () => {
        const { destination, sql, bound, relations } = probeOf();
        await destination.execute(bound(sql.dropStaging));
        await destination.dropTable(sql.table);
        return `dropped the staging table and ${relations.target}`;
      },
    },
  ];
  return {
    steps,
    cleanup: async () => {
      if (!probeSql) return;
      const { destination, sql, bound } = probeSql;
      await destination.execute(bound(sql.dropStaging)).catch(() => {});
      await destination.dropTable(sql.table).catch(() => {});
    },
  };
}

interface ProbeSql {
  readonly destination: Destination;
  readonly sql: ModelSql;
  readonly relations: Relations;
  readonly columns: readonly string[];
  bound(statements: readonly string[]): string[];
}

/** The probe table's SQL for the destination's dialect (rendered ahead: see probe-sql.test.ts), its relations bound. */
function renderProbe(destination: Destination): ProbeSql {
  const sql = PROBE_SQL[destination.dialect.name];
  const relations: Relations = { target: destination.relation(sql.table), staging: destination.scratchRelation('staging__ferry_connection_check') };
  return {
    destination,
    sql,
    relations,
    columns: Object.values(sql.columns),
    bound: (statements) => statements.map((statement) => bindRelations(statement, relations)),
  };
}
