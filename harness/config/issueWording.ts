// The project's own words for what zod finds wrong in a config file, in place
// of zod's ("Too small: expected string to have >=1 characters"): a message, and
// the few words printed after the caret.
import type { z } from 'zod';

export interface Wording {
  message: string;
  /** what belongs at the caret, in a few words */
  label: string;
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
/** An issue as zod raises it (for the error map) or reports it: its message and path do not matter here. */
export type IssueFacts = DistributiveOmit<z.core.$ZodIssue, 'message' | 'path'>;

/**
 * Our wording for an issue, given the value it is about. A message a schema
 * sets itself (a regex's `message`) outranks this: zod asks the error map only
 * when there is none.
 */
export function ownWording(issue: IssueFacts, input: unknown): Wording {
  switch (issue.code) {
    case 'invalid_type': {
      const want = typeNoun(issue.expected);
      return { message: `expected ${want}, found ${describeValue(input)}`, label: `expected ${want}` };
    }
    case 'too_small':
      return bound('at least', issue.origin, Number(issue.minimum), issue.inclusive !== false, input);
    case 'too_big':
      return bound('at most', issue.origin, Number(issue.maximum), issue.inclusive !== false, input);
    case 'invalid_format':
      return same(formatWanted(issue));
    case 'not_multiple_of':
      return same(`expected a multiple of ${issue.divisor}`);
    case 'invalid_value':
      return { message: `expected ${alternatives(issue.values.map(String))}`, label: 'not an allowed value' };
    case 'unrecognized_keys': {
      const keys = issue.keys.map((k) => `'${k}'`).join(', ');
      return { message: `unknown ${issue.keys.length === 1 ? 'key' : 'keys'} ${keys}`, label: 'unknown key' };
    }
    case 'invalid_key': {
      const why = issue.issues[0]?.message;
      if (!why) return same('not a valid key');
      return { message: `not a valid key: ${why}`, label: leadClause(why) };
    }
    case 'invalid_element':
      return same('not a valid entry');
    case 'invalid_union':
      return { message: `${describeValue(input)} fits none of the accepted forms`, label: 'no accepted form' };
    case 'custom':
      return same('not valid here');
  }
}

/**
 * The caret label for a message a schema wrote itself. Those messages say what
 * is expected first, then the detail: after ': ', or the examples after the
 * first one (`expected a duration such as 500ms, 2s, ...`).
 */
export function leadClause(message: string): string {
  const colon = message.indexOf(': ');
  if (colon > 0) return message.slice(0, colon);
  const example = message.indexOf(' such as ');
  const comma = example < 0 ? -1 : message.indexOf(',', example);
  return comma > 0 ? message.slice(0, comma) : message;
}

/** A value as a message names what was found: `string "2 seconds"`, `a list`. */
export function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'nothing';
  if (Array.isArray(v)) return v.length === 0 ? 'an empty list' : 'a list';
  if (typeof v === 'object') return 'a mapping';
  return `${typeof v} ${JSON.stringify(v)}`;
}

/** zod's type names as a YAML author knows them. */
export function typeNoun(expected: string): string {
  const nouns: Record<string, string> = {
    string: 'a string',
    number: 'a number',
    int: 'a whole number',
    boolean: 'true or false',
    array: 'a list',
    tuple: 'a list',
    object: 'a mapping',
    record: 'a mapping',
    map: 'a mapping',
    null: 'null',
    undefined: 'nothing',
  };
  return nouns[expected] ?? `a ${expected}`;
}

function same(text: string): Wording {
  return { message: text, label: text };
}

/** `expected at least 2 items, found 1`: the bound in the unit of what was measured. */
function bound(
  side: 'at least' | 'at most',
  origin: string,
  limit: number,
  inclusive: boolean,
  input: unknown,
): Wording {
  if (origin === 'string' || origin === 'array' || origin === 'set') {
    const size = typeof input === 'string' ? input.length : Array.isArray(input) ? input.length : undefined;
    if (side === 'at least' && limit === 1 && inclusive) {
      const wanted = origin === 'string' ? 'expected at least one character' : 'expected at least one entry';
      const found = origin === 'string' ? 'an empty string' : 'an empty list';
      return { message: `${found} is not allowed here`, label: wanted };
    }
    const [one, many] = origin === 'string' ? ['character', 'characters'] : ['entry', 'entries'];
    const n = inclusive ? limit : side === 'at least' ? limit + 1 : limit - 1;
    const wanted = `expected ${side} ${n} ${n === 1 ? one : many}`;
    return { message: size === undefined ? wanted : `${wanted}, found ${size}`, label: wanted };
  }
  const relation = side === 'at least' ? (inclusive ? 'or more' : 'more than') : inclusive ? 'or less' : 'less than';
  const wanted = inclusive ? `expected ${limit} ${relation}` : `expected ${relation} ${limit}`;
  return { message: typeof input === 'number' ? `${wanted}, found ${input}` : wanted, label: wanted };
}

function formatWanted(issue: Extract<IssueFacts, { code: 'invalid_format' }>): string {
  const facts = issue as { prefix?: string; suffix?: string; includes?: string };
  switch (issue.format) {
    case 'starts_with':
      return `expected text starting with ${JSON.stringify(facts.prefix)}`;
    case 'ends_with':
      return `expected text ending with ${JSON.stringify(facts.suffix)}`;
    case 'includes':
      return `expected text containing ${JSON.stringify(facts.includes)}`;
    case 'regex':
      return `expected text matching ${issue.pattern}`;
    case 'url':
      return 'expected a URL';
    default:
      return `expected a valid ${issue.format}`;
  }
}

function alternatives(items: string[]): string {
  return items.length <= 1 ? (items[0] ?? 'nothing') : `${items.slice(0, -1).join(', ')} or ${items.at(-1)}`;
}
