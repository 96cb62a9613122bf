import { DuckDBInstance } from '@duckdb/node-api';
import { exportModels, modelSql, type ExportModelName } from '@ferry/generated';
import type { SoftDeleteMode } from '@ferry/sync';
import type { ExportModelSpec } from '@ferry/schema';

export interface ModelCheck {
  readonly model: ExportModelName;
  readonly sourceRows: number;
  readonly destinationRows: number;
  /** Rows in one side and not the other, counting duplicates. */
  readonly differingRows: number;
}

/**
 * Compares each destination table with its tenant's slice of the source, row for row (every
 * exported column, as text), both DuckDB files attached read-only to one in-memory DuckDB.
 * Rows soft-deleted in the source are expected absent where the destination deletes them.
 */
export async function compareWithSource(input: {
  readonly sourcePath: string;
  readonly destinationPath: string;
  readonly schema: string;
  readonly tenant: string;
  readonly models: readonly ExportModelName[];
  readonly softDeletes: SoftDeleteMode;
}): Promise<ModelCheck[]> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  const text = (sql: string) => `'${sql.replace(/'/g, "''")}'`;
  try {
    await connection.run(`ATTACH ${text(input.sourcePath)} AS src (READ_ONLY)`);
    await connection.run(`ATTACH ${text(input.destinationPath)} AS dst (READ_ONLY)`);
    const checks: ModelCheck[] = [];
    for (const model of input.models) {
      const spec: ExportModelSpec = exportModels[model];
      const sql = modelSql.duckdb[model];
      const sourceColumns = spec.columns.map((c) => `CAST("${c.name}" AS VARCHAR)`).join(', ');
      const destinationColumns = spec.columns.map((c) => `CAST("${sql.columns[c.name]}" AS VARCHAR)`).join(', ');
      const flagged = input.softDeletes === 'delete' && spec.softDelete ? ` AND "${spec.softDelete}" IS NULL` : '';
      const slice = `SELECT ${sourceColumns} FROM src."${spec.source.schema}"."${spec.source.identifier}" WHERE "${spec.tenantColumn}" = ${text(input.tenant)}${flagged}`;
      const table = `SELECT ${destinationColumns} FROM dst."${input.schema}"."${sql.table}"`;
      const [[sourceRows, destinationRows, differing]] = (
        await connection.runAndReadAll(
          `SELECT (SELECT count(*) FROM (${slice})), (SELECT count(*) FROM (${table})),
                (SELECT count(*) FROM ((${slice}) EXCEPT ALL (${table}))) + (SELECT count(*) FROM ((${table}) EXCEPT ALL (${slice})))`,
        )
      ).getRows() as [[bigint, bigint, bigint]];
      checks.push({ model, sourceRows: Number(sourceRows), destinationRows: Number(destinationRows), differingRows: Number(differing) });
    }
    return checks;
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}
