// expect.redirect: the answer (with follow_redirects, the first hop) is a
// redirect with the promised status, to where it should go: the path and
// query byte for byte, the same or the canonical host, the scheme's own port.
import type { RedirectExpectation } from '../config/expectSchema.js';
import type { FailureRecord } from '../record.js';
import type { ExpectationCheck, Observation } from './observation.js';
import { status as statusCheck } from './status.js';

export const redirect: ExpectationCheck<RedirectExpectation> = (expected, obs) => {
  const failures: FailureRecord[] = [];
  const first = obs.hops?.[0] ?? { status: obs.response.status, location: location(obs) };
  if (expected.status !== undefined) {
    const want = expected.status === 'declared' ? obs.redirectPromises?.https : expected.status;
    if (want === undefined) {
      failures.push({ expectation: 'redirect.status', expected: 'declared', actual: 'the target declares none' });
    } else {
      const wrong = statusCheck(want, { ...obs, response: { ...obs.response, status: first.status } });
      for (const f of wrong) failures.push({ ...f, expectation: 'redirect.status' });
    }
  }
  if (expected.location !== undefined) failures.push(...locationFailures(expected.location, first.location, obs));
  if (expected.ends_at !== undefined) {
    const last = obs.hops?.at(-1)?.to ?? obs.request?.url.href;
    const wrong = locationFailures(expected.ends_at, last, obs);
    failures.push(
      ...wrong.map((f) => ({ ...f, expectation: f.expectation.replace('redirect.location', 'redirect.ends_at') })),
    );
  }
  if (expected.hops !== undefined) {
    const hops = obs.hops?.length ?? (isRedirect(obs.response.status) ? 1 : 0);
    if (hops > expected.hops.lte) {
      const path = (obs.hops ?? []).map((h) => `${h.status} ${h.to ?? h.location ?? ''}`).join(' -> ');
      failures.push({ expectation: 'redirect.hops', expected: expected.hops, actual: `${hops}: ${path}` });
    }
  }
  return failures;
};

function location(obs: Observation): string | undefined {
  const value = obs.response.headers['location'];
  return typeof value === 'string' ? value : undefined;
}

const isRedirect = (status: number) => status >= 300 && status < 400;

function locationFailures(
  expected: NonNullable<RedirectExpectation['location']>,
  actual: string | undefined,
  obs: Observation,
): FailureRecord[] {
  const fail = (want: unknown, got: unknown): FailureRecord[] => [
    { expectation: 'redirect.location', expected: want, actual: got },
  ];
  if (actual === undefined) return fail(expected, 'no Location header');
  const request = obs.request?.url;
  let resolved: URL;
  try {
    resolved = new URL(actual, request);
  } catch {
    return fail(expected, `${JSON.stringify(actual)}, which is not a URL`);
  }
  if (expected === 'viewer_location') {
    const want = obs.redirectPromises?.viewerLocation;
    if (want === undefined) return fail(expected, 'no viewer-location rule names this viewer');
    return resolved.href.startsWith(new URL(want).href) ? [] : fail(want, resolved.href);
  }
  if (typeof expected === 'string') {
    const want = new URL(expected, request).href;
    return resolved.href === want ? [] : fail(want, resolved.href);
  }
  if ('matches' in expected) return new RegExp(expected.matches).test(actual) ? [] : fail(expected, actual);
  return partFailures(expected, resolved, request, obs);
}

/** Each part the expectation names, against the resolved Location; the byte-for-byte parts as the client sent them. */
function partFailures(
  expected: Exclude<NonNullable<RedirectExpectation['location']>, string | { matches: string }>,
  resolved: URL,
  request: URL | undefined,
  obs: Observation,
): FailureRecord[] {
  const failures: FailureRecord[] = [];
  const part = (name: string, want: string, got: string) => {
    if (want !== got) failures.push({ expectation: `redirect.location.${name}`, expected: want, actual: got });
  };
  const scheme = expected.scheme ?? request?.protocol.slice(0, -1);
  if (expected.scheme !== undefined) part('scheme', expected.scheme, resolved.protocol.slice(0, -1));
  if (expected.host !== undefined) {
    const host =
      expected.host === 'same'
        ? request?.hostname
        : expected.host === 'canonical'
          ? obs.redirectPromises?.canonicalHost
          : expected.host;
    part('host', host ?? `${expected.host} (not declared)`, resolved.hostname);
    // the scheme's own port: a redirect to https on the http port reaches nothing
    const ports = obs.redirectPromises?.ports;
    if (ports && (scheme === 'http' || scheme === 'https'))
      part('port', ports[scheme] || '(default)', resolved.port || '(default)');
  }
  if (expected.path !== undefined)
    part('path', expected.path === 'kept' ? (request?.pathname ?? '') : expected.path, resolved.pathname);
  if (expected.query !== undefined) {
    const want =
      expected.query === 'kept'
        ? (request?.search ?? '')
        : expected.query === 'dropped'
          ? ''
          : `?${expected.query.replace(/^\?/, '')}`;
    part('query', want, resolved.search);
  }
  return failures;
}
