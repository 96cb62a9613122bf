import { formatLogicalType, type LogicalType, type LogicalTypeKind } from '@ferry/schema';
import { DIALECT_NAMES } from './dialect.ts';
import { dialects } from './dialects.ts';

/**
 * The logical types the documentation table shows, per kind: a Record, so a new kind fails to
 * compile until it has a row. Two numerics show where BigQuery switches to BIGNUMERIC.
 */
const DOCUMENTED_TYPES: Readonly<Record<LogicalTypeKind, readonly LogicalType[]>> = {
  text: [{ kind: 'text' }],
  varchar: [{ kind: 'varchar', length: 255 }],
  smallint: [{ kind: 'smallint' }],
  integer: [{ kind: 'integer' }],
  bigint: [{ kind: 'bigint' }],
  numeric: [
    { kind: 'numeric', precision: 38, scale: 9 },
    { kind: 'numeric', precision: 38, scale: 10 },
  ],
  real: [{ kind: 'real' }],
  double: [{ kind: 'double' }],
  boolean: [{ kind: 'boolean' }],
  date: [{ kind: 'date' }],
  time: [{ kind: 'time' }],
  timestamp: [{ kind: 'timestamp' }],
  timestamptz: [{ kind: 'timestamptz' }],
  json: [{ kind: 'json' }],
  uuid: [{ kind: 'uuid' }],
};

/**
 * One markdown table of every dialect's column type for every logical type, read from the
 * TypeMaps; docs/destinations.md embeds it and a test keeps the two equal.
 */
export function typeMappingMarkdown(): string {
  const row = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  const lines = [row(['logical type', ...DIALECT_NAMES]), row(['---', ...DIALECT_NAMES.map(() => '---')])];
  for (const type of Object.values(DOCUMENTED_TYPES).flat()) {
    const cells = DIALECT_NAMES.map((name) => `\`${dialects[name].columnType(type)}\``);
    lines.push(row([`\`${formatLogicalType(type)}\``, ...cells]));
  }
  return `${lines.join('\n')}\n`;
}
