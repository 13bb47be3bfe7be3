// Turns a suite's `object` into what the probe origin is programmed with:
// relative dates ({http_date: +60s}) become HTTP dates now, so Expires and
// Last-Modified can be written in a suite that runs on any day.
import { parseDuration } from '../config/duration.js';
import type { OriginObject as SuiteObject } from '../config/stepSchemas.js';
import type { OriginObject } from './originControl.js';

export function renderObject(object: SuiteObject, now = Date.now()): OriginObject {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(object.headers ?? {})) {
    headers[name] = typeof value === 'object' ? httpDate(value.http_date, now) : String(value);
  }
  return { ...object, headers };
}

function httpDate(relative: string, now: number): string {
  if (relative === 'now') return new Date(now).toUTCString();
  const sign = relative.startsWith('-') ? -1 : 1;
  return new Date(now + sign * (parseDuration(relative.slice(1)) ?? 0)).toUTCString();
}
