// One header value against a matcher: a literal string/number, or
// {equals, matches, contains, absent, present, gte, lte}. Shared by response
// and origin-request header expectations.
import type { ValueMatcher } from '../config/expectSchema.js';

/** undefined when it holds; otherwise what was wrong, in words. */
export function mismatch(matcher: ValueMatcher, actual: string | undefined): string | undefined {
  if (typeof matcher === 'string' || typeof matcher === 'number') {
    return actual === String(matcher) ? undefined : actual === undefined ? 'absent' : `is ${JSON.stringify(actual)}`;
  }
  if (matcher.absent) return actual === undefined ? undefined : `is present (${JSON.stringify(actual)})`;
  if (actual === undefined) return matcher.present || hasValueTest(matcher) ? 'absent' : undefined;
  if (matcher.equals !== undefined && actual !== String(matcher.equals)) return `is ${JSON.stringify(actual)}`;
  if (matcher.contains !== undefined && !actual.includes(matcher.contains)) return `is ${JSON.stringify(actual)}`;
  const matches = matcher.matches === undefined || new RegExp(matcher.matches).test(actual);
  if (!matches) return `is ${JSON.stringify(actual)}`;
  if (matcher.gte !== undefined || matcher.lte !== undefined) {
    const n = Number(actual);
    if (actual.trim() === '' || Number.isNaN(n)) return `is not a number (${JSON.stringify(actual)})`;
    if (matcher.gte !== undefined && n < matcher.gte) return `is ${n}`;
    if (matcher.lte !== undefined && n > matcher.lte) return `is ${n}`;
  }
  return undefined;
}

/**
 * A matcher against every line of a repeated header: it holds when one line
 * does (`contains: "session="` finds that cookie among the others). `absent`
 * holds only when there is no line at all, so every line counts against it.
 */
export function mismatchAny(matcher: ValueMatcher, lines: readonly string[]): string | undefined {
  if (lines.length === 0) return mismatch(matcher, undefined);
  const wrong = lines.map((line) => mismatch(matcher, line));
  return wrong.includes(undefined) ? undefined : `no line fits: ${wrong.join('; ')}`;
}

function hasValueTest(m: Exclude<ValueMatcher, string | number>): boolean {
  return [m.equals, m.contains, m.matches, m.gte, m.lte].some((v) => v !== undefined);
}
