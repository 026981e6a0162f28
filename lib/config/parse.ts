/**
 * Parsers for CDK context values.
 *
 * A value arrives as a string from the command line (`-c azCount=3`) and as a typed JSON value
 * from `config/<profile>.json`, `cdk.json` or a test; each parser accepts both.
 */

export type ParseResult<T> =
  { readonly ok: true; readonly value: T } | { readonly ok: false; readonly expected: string };

export type Parser<T> = (raw: unknown) => ParseResult<T>;

const ok = <T>(value: T): ParseResult<T> => ({ ok: true, value });
const fail = <T>(expected: string): ParseResult<T> => ({ ok: false, expected });

export const asString: Parser<string> = (raw) =>
  typeof raw === 'string' ? ok(raw.trim()) : fail('must be a string');

export const asInteger: Parser<number> = (raw) => {
  if (typeof raw === 'number' && Number.isInteger(raw)) return ok(raw);
  if (typeof raw === 'string' && /^\s*-?\d+\s*$/.test(raw)) return ok(Number(raw));
  return fail('must be a whole number');
};

export const asBoolean: Parser<boolean> = (raw) => {
  if (typeof raw === 'boolean') return ok(raw);
  if (raw === 'true' || raw === 'false') return ok(raw === 'true');
  return fail('must be true or false');
};

/** A string from a fixed set; the set is checked by validation, which names the choices. */
export function asEnum<T extends string>(choices: readonly T[]): Parser<T> {
  return (raw) =>
    typeof raw === 'string' && (choices as readonly string[]).includes(raw.trim())
      ? ok(raw.trim() as T)
      : fail(`must be one of ${choices.map((c) => JSON.stringify(c)).join(', ')}`);
}

/** A JSON value of the given shape, or its JSON text. */
export function asJson<T>(describe: string, isShape: (v: unknown) => boolean): Parser<T> {
  return (raw) => {
    let value = raw;
    if (typeof raw === 'string') {
      try {
        value = JSON.parse(raw);
      } catch {
        return fail(`must be ${describe} (JSON)`);
      }
    }
    return isShape(value) ? ok(value as T) : fail(`must be ${describe}`);
  };
}

/** A list of strings: a JSON array, or comma-separated text (`-c scramUsers=consumer,producer`). */
export const asStringList: Parser<string[]> = (raw) => {
  if (typeof raw === 'string' && !raw.trim().startsWith('[')) {
    return ok(raw.trim() === '' ? [] : raw.split(',').map((s) => s.trim()));
  }
  return asJson<string[]>(
    'a list of strings',
    (v) => Array.isArray(v) && v.every((s) => typeof s === 'string'),
  )(raw);
};

/** An object whose values are all strings, e.g. Kafka server properties. */
export const asStringMap: Parser<Record<string, string>> = asJson(
  'an object of string values',
  (v) =>
    typeof v === 'object' &&
    v !== null &&
    !Array.isArray(v) &&
    Object.values(v).every((s) => typeof s === 'string'),
);

/** `none` (or JSON `null`) unsets an optional setting; anything else goes to `parser`. */
export function asOptional<T>(parser: Parser<T>): Parser<T | undefined> {
  return (raw) => {
    if (raw === null || raw === 'none' || raw === 'null') return ok(undefined);
    const parsed = parser(raw);
    return parsed.ok ? parsed : fail(`${parsed.expected}, or "none"`);
  };
}
