import { exportModels } from '@ferry/generated';
import type { ExportModelSpec, LogicalTypeKind } from '@ferry/schema';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectCsv, parseTransferCsv } from '../index.ts';
import { openFixture, SOURCE_KINDS, type SourceFixture, type Value } from '../index.ts';

/** A canonical value per logical type: the export must give each back unchanged. */
const SAMPLE: Readonly<Record<LogicalTypeKind, string>> = {
  text: 'email, "transactional"',
  varchar: 'sendgrid',
  smallint: '7',
  integer: '42',
  bigint: '9007199254740993',
  numeric: '0.012500',
  real: '0.5',
  double: '0.25',
  boolean: 'true',
  date: '2024-02-29',
  time: '08:30:00.000001',
  timestamp: '2024-02-29 08:30:00.000001',
  timestamptz: '2024-02-29 08:30:00.000001+00',
  json: '{"plan": "pro"}',
  uuid: '2f1c7a54-6d0e-4a43-9a5f-0b8f8d5b4e21',
};

/** One row of `tenant`: the sample of each column's type, the tenant in the tenant column. */
function sampleRow(model: ExportModelSpec, tenant: string): Value[] {
  return model.columns.map((column) => (column.name === model.tenantColumn ? tenant : sampleOf(column.type.kind, column.type)));
}

function sampleOf(kind: LogicalTypeKind, type: ExportModelSpec['columns'][number]['type']): string {
  // A numeric sample carries exactly the column's scale, as the warehouse prints it.
  return type.kind === 'numeric' ? (0.0125).toFixed(type.scale) : SAMPLE[kind];
}

const MODELS = Object.values(exportModels) as readonly ExportModelSpec[];

describe.each(SOURCE_KINDS)("%s source: the dbt project's generated export models", (kind) => {
  let fixture: SourceFixture;
  beforeAll(async () => {
    fixture = await openFixture(kind);
    for (const model of MODELS) {
      await fixture.createTable(model);
      await fixture.insert(model, [sampleRow(model, 'acme'), sampleRow(model, 'globex')]);
    }
  });
  afterAll(() => fixture?.close());

  it('covers every model', () => {
    expect(MODELS.map((model) => model.name).sort()).toEqual([
      'daily_channel_engagement',
      'message_events',
      'messages',
      'recipient_preferences',
      'recipients',
      'workflows',
    ]);
  });

  it.each(MODELS.map((model) => [model.name, model] as const))('exports %s for one tenant, every column canonical', async (_, model) => {
    const rows = parseTransferCsv(await collectCsv(fixture.source.exportCsv(model, 'acme')));
    expect(rows).toEqual([sampleRow(model, 'acme')]);
    expect(await fixture.source.count(model, 'acme')).toBe(1);
    const buckets = await fixture.source.keyBuckets(model, 'globex', 4);
    expect(buckets.map((bucket) => bucket.count)).toEqual([1]);
  });
});
