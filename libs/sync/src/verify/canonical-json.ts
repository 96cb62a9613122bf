/**
 * How a JSON value's numbers are compared: `exact` keeps every digit (two spellings of one
 * number, `1.50` and `15e-1`, compare equal); `float64` reads them as a 64-bit float first, as a
 * destination whose JSON type holds numbers that way (BigQuery) stores them.
 */
export type JsonNumbers = 'exact' | 'float64';

/**
 * JSON text in one spelling per value, so that two warehouses holding the same JSON compare
 * equal however they print it: object keys sorted, no whitespace, strings re-escaped alike,
 * numbers per `numbers`. Duplicate object keys keep the last value, as JSON.parse does.
 * @throws SyntaxError for text that is not JSON.
 * @example canonicalJson('{"b": 1.50, "a": [true, null]}', 'exact') // '{"a":[true,null],"b":0.15e1}'
 */
export function canonicalJson(text: string, numbers: JsonNumbers): string {
  const reader = new JsonReader(text, numbers);
  const value = reader.value();
  reader.end();
  return value;
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const STRING = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;
const WHITESPACE = /[ \t\n\r]*/y;

class JsonReader {
  #at = 0;

  constructor(
    private readonly text: string,
    private readonly numbers: JsonNumbers,
  ) {}

  value(): string {
    this.#skipWhitespace();
    const character = this.text[this.#at];
    if (character === '{') return this.#object();
    if (character === '[') return this.#array();
    if (character === '"') return JSON.stringify(this.#string());
    for (const literal of ['true', 'false', 'null']) {
      if (this.text.startsWith(literal, this.#at)) {
        this.#at += literal.length;
        return literal;
      }
    }
    const number = this.#match(NUMBER);
    if (number === undefined) throw this.#error('a JSON value');
    return this.numbers === 'exact' ? exactNumber(number) : JSON.stringify(Number(number));
  }

  end(): void {
    this.#skipWhitespace();
    if (this.#at !== this.text.length) throw this.#error('the end of the JSON text');
  }

  #object(): string {
    this.#at += 1;
    const members = new Map<string, string>();
    this.#skipWhitespace();
    if (this.text[this.#at] === '}') {
      this.#at += 1;
      return '{}';
    }
    for (;;) {
      this.#skipWhitespace();
      const key = this.#string();
      this.#expect(':');
      members.set(key, this.value());
      if (this.#next(',', '}') === '}') break;
    }
    const keys = [...members.keys()].sort();
    return `{${keys.map((key) => `${JSON.stringify(key)}:${members.get(key)}`).join(',')}}`;
  }

  #array(): string {
    this.#at += 1;
    const items: string[] = [];
    this.#skipWhitespace();
    if (this.text[this.#at] === ']') {
      this.#at += 1;
      return '[]';
    }
    for (;;) {
      items.push(this.value());
      if (this.#next(',', ']') === ']') break;
    }
    return `[${items.join(',')}]`;
  }

  #string(): string {
    const token = this.#match(STRING);
    if (token === undefined) throw this.#error('a JSON string');
    return JSON.parse(token) as string;
  }

  #next(...allowed: string[]): string {
    this.#skipWhitespace();
    const character = this.text[this.#at];
    if (character === undefined || !allowed.includes(character)) throw this.#error(allowed.map((a) => `"${a}"`).join(' or '));
    this.#at += 1;
    return character;
  }

  #expect(character: string): void {
    this.#next(character);
  }

  #skipWhitespace(): void {
    this.#match(WHITESPACE);
  }

  #match(pattern: RegExp): string | undefined {
    pattern.lastIndex = this.#at;
    const found = pattern.exec(this.text);
    if (found === null) return undefined;
    this.#at = pattern.lastIndex;
    return found[0];
  }

  #error(wanted: string): SyntaxError {
    return new SyntaxError(`expected ${wanted} at position ${this.#at} of JSON text`);
  }
}

/**
 * A JSON number's exact value in one spelling: `0.<digits>e<exponent>` with no leading or
 * trailing zero digit (`0` for zero), whatever spelling it came in.
 * @example exactNumber('-12.3400e+2') // '-0.1234e4'
 */
export function exactNumber(number: string): string {
  const [, sign, whole, fraction = '', exponent = '0'] = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(number) ?? [];
  if (whole === undefined) throw new SyntaxError(`not a JSON number: ${number}`);
  const digits = `${whole}${fraction}`;
  const leading = digits.length - digits.replace(/^0+/, '').length;
  const significant = digits.slice(leading).replace(/0+$/, '');
  if (significant === '') return '0';
  // value = 0.<digits> x 10^(whole.length + exponent); leading zeros move the point right.
  const scale = BigInt(whole.length) + BigInt(exponent) - BigInt(leading);
  return `${sign}0.${significant}e${scale}`;
}
