// expect.origin_request: what the edge sent to the origin during this step
// (conditional headers, other headers, SNI), read from the origin's log.
// `sni_matches_certificate` holds the SNI to the names of the certificate the
// origin presented, so it needs no hostname in the suite or the target.
import type { Expect } from '../config/expectSchema.js';
import type { OriginLogEntry } from '../origin/originControl.js';
import type { FailureRecord } from '../record.js';
import { matchHostname } from '../tls/hostnameMatch.js';
import { fail, type ExpectationCheck } from './observation.js';
import { mismatch } from './valueMatcher.js';

export const originRequest: ExpectationCheck<NonNullable<Expect['origin_request']>> = (expected, obs) => {
  const entry = obs.originEntries?.at(-1);
  if (!entry)
    return fail(
      'origin_request',
      expected,
      obs.originEntries ? 'no request reached the origin' : 'the target has no probe origin log',
    );
  const failures: FailureRecord[] = [];
  if (expected.conditional !== undefined) {
    const conditional =
      entry.headers['if-none-match'] !== undefined || entry.headers['if-modified-since'] !== undefined;
    if (conditional !== expected.conditional) {
      failures.push({
        expectation: 'origin_request.conditional',
        expected: expected.conditional,
        actual: conditional
          ? pick(entry.headers, ['if-none-match', 'if-modified-since'])
          : 'no If-None-Match or If-Modified-Since',
      });
    }
  }
  for (const [name, matcher] of Object.entries(expected.headers ?? {})) {
    const actual = entry.headers[name.toLowerCase()];
    if (mismatch(matcher, actual))
      failures.push({
        expectation: `origin_request.headers.${name.toLowerCase()}`,
        expected: matcher,
        actual: actual ?? null,
      });
  }
  if (expected.status !== undefined && entry.status !== expected.status) {
    failures.push({ expectation: 'origin_request.status', expected: expected.status, actual: entry.status ?? null });
  }
  if (expected.sni !== undefined && entry.sni !== expected.sni) {
    failures.push({ expectation: 'origin_request.sni', expected: expected.sni, actual: entry.sni ?? 'no SNI' });
  }
  if (expected.signature_stripped !== undefined) {
    const url = new URL(entry.url, 'http://origin');
    const left = (obs.signingParameters ?? []).filter((name) => url.searchParams.has(name));
    if ((left.length === 0) !== expected.signature_stripped) {
      failures.push({
        expectation: 'origin_request.signature_stripped',
        expected: expected.signature_stripped,
        actual: left.length ? `the origin was sent ${left.join(', ')}` : 'no signing parameter reached the origin',
      });
    }
  }
  if (expected.sni_matches_certificate !== undefined) {
    const verdict = sniVerdict(entry);
    if (verdict.match !== expected.sni_matches_certificate) {
      failures.push({
        expectation: 'origin_request.sni_matches_certificate',
        expected: expected.sni_matches_certificate,
        actual: verdict.why,
      });
    }
  }
  return failures;
};

/**
 * Whether the SNI the edge sent names the certificate the origin's listener holds
 * (wildcards as browsers match them).
 */
function sniVerdict(entry: OriginLogEntry): { match: boolean; why: string } {
  if (!entry.certificate_names)
    return { match: false, why: `the request came over ${entry.listener}, with no certificate` };
  const names = entry.certificate_names.join(', ');
  if (entry.sni === undefined) return { match: false, why: `no SNI; the origin's certificate is for ${names}` };
  const match = matchHostname(entry.sni, { dns: entry.certificate_names, ip: [] }).match;
  return { match, why: `SNI ${entry.sni}; the origin's certificate is for ${names}` };
}

function pick(headers: Record<string, string>, names: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const n of names) if (headers[n] !== undefined) out[n] = headers[n];
  return out;
}
