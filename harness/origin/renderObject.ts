// Turns a suite's `object` into what the probe origin is programmed with:
// relative dates ({http_date: +60s}) become HTTP dates now, so Expires and
// Last-Modified can be written in a suite that runs on any day; a case for a
// viewer country becomes a case for the header the target's edge tells the
// origin the country in.
import { parseDuration } from '../config/duration.js';
import type { OriginObject, SuiteObject } from './protocol.js';

type SuiteAnswer = Omit<SuiteObject, 'secondary' | 'sequence' | 'cases'>;
type SuiteCase = NonNullable<SuiteObject['cases']>[number];

/** CloudFront's, unless the target says its edge uses another (targets.yaml `redirects.country_header`) */
export const DEFAULT_COUNTRY_HEADER = 'CloudFront-Viewer-Country';

export interface RenderContext {
  now?: number;
  /** the header the target's edge tells the origin the viewer's country in */
  countryHeader?: string | undefined;
}

export function renderObject(object: SuiteObject, context: RenderContext = {}): OriginObject {
  const now = context.now ?? Date.now();
  const { secondary, sequence, cases, ...answer } = object;
  return {
    ...renderAnswer(answer, now),
    ...(secondary ? { secondary: renderAnswer(secondary, now) } : {}),
    ...(sequence ? { sequence: sequence.map((a) => renderAnswer(a, now)) } : {}),
    ...(cases
      ? { cases: cases.map(({ when, ...a }) => ({ ...renderAnswer(a, now), when: renderWhen(when, context) })) }
      : {}),
  };
}

function renderWhen(when: SuiteCase['when'], context: RenderContext): { headers: Record<string, string> } {
  if ('headers' in when) return when;
  return { headers: { [context.countryHeader ?? DEFAULT_COUNTRY_HEADER]: when.viewer_country } };
}

function renderAnswer(answer: SuiteAnswer, now: number): OriginObject {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(answer.headers ?? {})) {
    headers[name] = typeof value === 'object' ? httpDate(value.http_date, now) : String(value);
  }
  return { ...answer, headers };
}

function httpDate(relative: string, now: number): string {
  if (relative === 'now') return new Date(now).toUTCString();
  const sign = relative.startsWith('-') ? -1 : 1;
  return new Date(now + sign * (parseDuration(relative.slice(1)) ?? 0)).toUTCString();
}
