import { bindRelations, renderModelSql, type ModelSql, type Relations } from '@ferry/dialects';
import type { Destination } from '@ferry/destinations';
import { fingerprintOf, type ColumnSpec, type ExportModelSpec, type LogicalType } from '@ferry/schema';
import type { CheckStep } from './run-checks.ts';

function column(name: string, type: LogicalType, dataType: string, nullable: boolean): ColumnSpec {
  return { name, destinationName: name, type, nullable, dataType };
}

/**
 * A model of Ferry's own that exercises what every sync does (keyed merge on a cursor), in a
 * table whose name says what it is. It is dropped again by the checks.
 */
const probe = ((): ExportModelSpec => {
  const model: Omit<ExportModelSpec, 'fingerprint'> = {
    name: '_ferry_connection_check',
    destinationName: '_ferry_connection_check',
    source: { schema: 'ferry', identifier: '_ferry_connection_check' },
    columns: [
      column('tenant_id', { kind: 'text' }, 'text', false),
      column('id', { kind: 'bigint' }, 'bigint', false),
      column('note', { kind: 'varchar', length: 64 }, 'varchar(64)', true),
      column('updated_at', { kind: 'timestamptz' }, 'timestamptz', false),
    ],
    primaryKey: ['tenant_id', 'id'],
    tenantColumn: 'tenant_id',
    cursor: 'updated_at',
  };
  return { ...model, fingerprint: fingerprintOf(model) };
})();

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
        const count = (await destination.query(`SELECT COUNT(*) FROM ${relations.target}`))[0]?.[0];
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

function renderProbe(destination: Destination): ProbeSql {
  const sql = renderModelSql(destination.dialect, probe);
  const relations: Relations = { target: destination.relation(sql.table), staging: destination.scratchRelation(`staging_${probe.name}`) };
  return {
    destination,
    sql,
    relations,
    columns: probe.columns.map((c) => sql.columns[c.name] as string),
    bound: (statements) => statements.map((statement) => bindRelations(statement, relations)),
  };
}

/**
 * Whether the session to a Postgres-protocol warehouse is encrypted, as the server sees it.
 * Redshift has no pg_stat_ssl; there the answer is a warning that it could not be told.
 */
export async function postgresTlsCheck(destination: Destination, through: string | undefined): Promise<string | { warn: string }> {
  let ssl: string | null | undefined;
  try {
    ssl = (await destination.query('SELECT ssl::text FROM pg_stat_ssl WHERE pid = pg_backend_pid()'))[0]?.[0];
  } catch {
    return { warn: 'could not tell whether the session is encrypted (no pg_stat_ssl); put ?sslmode=require in the url to insist on TLS' };
  }
  if (ssl === 'true') return 'the session is encrypted (TLS)';
  const hop = through ? `the SSH tunnel encrypts the way to the bastion, but not from the bastion to the warehouse: ` : '';
  return { warn: `${hop}the session is not encrypted; enable TLS on the server and put ?sslmode=require (or verify-full) in the url` };
}
