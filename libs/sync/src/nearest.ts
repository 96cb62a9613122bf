/** Levenshtein distance, for "did you mean". */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/** The `count` values closest to `wanted` (ignoring case first), nearest first: for "did you mean". */
export function nearest(values: readonly string[], wanted: string, count: number): string[] {
  const distance = (value: string) => editDistance(value.toLowerCase(), wanted.toLowerCase()) + (value === wanted ? 0 : 0.5);
  return [...values].sort((a, b) => distance(a) - distance(b) || a.localeCompare(b)).slice(0, count);
}
