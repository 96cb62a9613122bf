import { describeMergeScenario } from '@ferry/test';
import { ordersModel } from '@ferry/test';
import { postgresWarehouse } from '@ferry/test';
import { postgres } from './dialect.ts';

describeMergeScenario({
  dialect: postgres,
  model: ordersModel,
  connect: postgresWarehouse,
  addColumnTwice: true,
  duplicateKeyError: /more than one row returned by a subquery/,
});
