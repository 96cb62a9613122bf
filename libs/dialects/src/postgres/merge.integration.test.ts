import { describeMergeScenario } from '../testing/merge-scenario.ts';
import { ordersModel } from '../testing/orders-model.ts';
import { postgresWarehouse } from '../testing/warehouse.ts';
import { postgres } from './dialect.ts';

describeMergeScenario({
  dialect: postgres,
  model: ordersModel,
  connect: postgresWarehouse,
  addColumnTwice: true,
  duplicateKeyError: /more than one row returned by a subquery/,
});
