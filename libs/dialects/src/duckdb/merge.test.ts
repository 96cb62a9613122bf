import { describeMergeScenario } from '../testing/merge-scenario.ts';
import { ordersModel } from '../testing/orders-model.ts';
import { duckdbWarehouse } from '../testing/warehouse.ts';
import { duckdb } from './dialect.ts';

describeMergeScenario({
  dialect: duckdb,
  model: ordersModel,
  connect: duckdbWarehouse,
  addColumnTwice: true,
  duplicateKeyError: /staging holds more than one row for a primary key/,
});
