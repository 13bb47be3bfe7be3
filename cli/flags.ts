// Flag values every command reads the same way.
import { DURATION_HELP, parseDuration } from '../harness/config/duration.js';
import { ConfigError } from '../harness/errors.js';

export function parsePositiveInt(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new ConfigError([{ message: `${flag}: expected a positive whole number, found '${value}'` }]);
  return n;
}

/** A positive duration (`500ms`, `5s`), in milliseconds. */
export function parseTimeout(flag: string, value: string | undefined, fallbackMs: number): number {
  if (value === undefined) return fallbackMs;
  const ms = /^\d/.test(value) ? parseDuration(value) : undefined;
  if (ms === undefined || ms <= 0)
    throw new ConfigError([{ message: `${flag}: expected ${DURATION_HELP}, found '${value}'` }]);
  return ms;
}
