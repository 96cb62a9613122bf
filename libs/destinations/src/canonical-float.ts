/** How warehouses and drivers spell the special floats, lower-cased, in the transfer format's spelling. */
const SPECIAL_FLOATS: Readonly<Record<string, string>> = {
  nan: 'NaN',
  inf: 'Infinity',
  '+inf': 'Infinity',
  infinity: 'Infinity',
  '-inf': '-Infinity',
  '-infinity': '-Infinity',
};

/**
 * A float as the transfer format writes it: text that reads back as the same float, with
 * `NaN`, `Infinity`, `-Infinity` and `-0` spelled out, whatever the warehouse printed.
 * @example canonicalFloat('-inf') // '-Infinity'
 */
export function canonicalFloat(text: string): string {
  const special = SPECIAL_FLOATS[text.toLowerCase()];
  if (special !== undefined) return special;
  const value = Number(text);
  return Object.is(value, -0) ? '-0' : String(value);
}
