import { describeMergeScenario } from '@ferry/test';
import { ordersModel, withoutColumns } from '@ferry/test';
import { postgresWarehouse } from '@ferry/test';
import { redshift } from './dialect.ts';

/**
 * Redshift's SQL, run on Postgres 15: Postgres accepts Redshift's MERGE, DELETE ... USING and
 * every Redshift column type but one. The json column is left out because SUPER and
 * JSON_SERIALIZE exist only on Redshift; the golden file covers that part of the SQL.
 */
describeMergeScenario({
  dialect: redshift,
  model: withoutColumns(ordersModel, 'attributes'),
  connect: postgresWarehouse,
  addColumnTwice: false,
  duplicateKeyError: /more than one row returned by a subquery/,
});
