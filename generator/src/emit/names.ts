/** `message_events` -> `messageEvents`: the const that holds a model's spec or SQL. */
export function camelName(model: string): string {
  const pascal = pascalName(model);
  return pascal.charAt(0).toLowerCase() + pascal.slice(1);
}

/** `message_events` -> `MessageEvents`: the stem of a model's row interface name. */
export function pascalName(model: string): string {
  const words = model.split(/[^A-Za-z0-9]+/).filter(Boolean);
  const joined = words.map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('');
  return /^[0-9]/.test(joined) ? `Model${joined}` : joined;
}

/** A property name as it must appear in TypeScript source: bare when it is an identifier. */
export function propertyName(name: string): string {
  return /^[\p{L}_$][\p{L}\p{N}_$]*$/u.test(name) ? name : JSON.stringify(name);
}

/** A string literal kept readable for multi-line SQL: a template literal with nothing interpolated. */
export function templateLiteral(text: string): string {
  return `\`${text.replace(/\\/g, '\\\\').replace(/`/g, '\\`').replace(/\$\{/g, '\\${')}\``;
}

/**
 * A key as it must appear in a JavaScript object literal. `__proto__` (bare or quoted) would set
 * the object's prototype instead of adding a property, so it is written as a computed key.
 */
export function keyName(name: string): string {
  return name === '__proto__' ? '["__proto__"]' : propertyName(name);
}
