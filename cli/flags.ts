// Flag values every command reads the same way.
import { ConfigError } from '../harness/errors.js';

export function parsePositiveInt(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new ConfigError([{ message: `${flag}: expected a positive whole number, found '${value}'` }]);
  return n;
}
