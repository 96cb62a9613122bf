import { describeMergeScenario } from '@ferry/test';
import { ordersModel } from '@ferry/test';
import { duckdbWarehouse } from '@ferry/test';
import { duckdb } from './dialect.ts';

describeMergeScenario({
  dialect: duckdb,
  model: ordersModel,
  connect: duckdbWarehouse,
  addColumnTwice: true,
  duplicateKeyError: /staging holds more than one row for a primary key/,
});
