/** 1536 -> "1.5 kB": sizes people read at a glance. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

/**
 * 850 -> "850 ms", 12_300 -> "12.3 s", 245_000 -> "4 min 5 s", 11_520_000 -> "3 h 12 min",
 * 60_830_000_000 -> "704 d 1 h": the largest unit that fits and the next one down, so that a lag
 * of two years reads at a glance (not as "1013826 min 24 s").
 */
export function formatDuration(ms: number): string {
  if (ms < 0) return `-${formatDuration(-ms)}`;
  if (ms < 999.5) return `${Math.round(ms)} ms`;
  // Below a minute, tenths of a second; 59.96 s would round to "60.0 s", so it goes on to "1 min".
  if (ms < 59_950) return `${(ms / 1000).toFixed(1)} s`;
  const seconds = Math.round(ms / 1000);
  const days = Math.floor(seconds / 86_400);
  const hours = Math.floor((seconds % 86_400) / 3_600);
  const minutes = Math.floor((seconds % 3_600) / 60);
  const [large, largeUnit, small, smallUnit] =
    days > 0 ? [days, 'd', hours, 'h'] : hours > 0 ? [hours, 'h', minutes, 'min'] : [minutes, 'min', seconds % 60, 's'];
  return small === 0 ? `${large} ${largeUnit}` : `${large} ${largeUnit} ${small} ${smallUnit}`;
}

/** Left-aligned text columns. */
export function table(rows: readonly (readonly string[])[]): string {
  const widths = rows.reduce<number[]>((w, row) => row.map((cell, i) => Math.max(w[i] ?? 0, cell.length)), []);
  return rows.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  ')).join('\n');
}
