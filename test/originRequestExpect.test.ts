// expect.origin_request.sni_matches_certificate: the SNI the edge sent must
// name the certificate the origin's listener presented (the origin's hostname
// wherever the probe origin is deployed), wildcards matched as browsers do.
import t from 'tap';
import { originRequest } from '../harness/expect/originRequest.js';
import type { Observation } from '../harness/expect/observation.js';
import type { OriginLogEntry } from '../harness/origin/originControl.js';

const base: OriginLogEntry = { seq: 1, at: 0, method: 'GET', url: '/', headers: {}, peer: '127.0.0.1', listener: 'https:valid' };
const observe = (entry: Partial<OriginLogEntry>): Observation => ({
  response: { status: 200, headers: {}, body: Buffer.alloc(0) } as unknown as Observation['response'],
  originEntries: [{ ...base, ...entry }],
});

const cases: Array<[string, Partial<OriginLogEntry>, boolean, RegExp | undefined]> = [
  ['the SNI is a name of the certificate', { sni: 'origin.example.com', certificate_names: ['origin.example.com'] }, true, undefined],
  ['a wildcard certificate covers the SNI', { sni: 'Origin.Example.COM', certificate_names: ['*.example.com'] }, true, undefined],
  ['another name as SNI', { sni: 'www.example.com', certificate_names: ['origin.example.com'] }, false, /SNI www\.example\.com; the origin's certificate is for origin\.example\.com/],
  ['a wildcard covers one label only', { sni: 'a.b.example.com', certificate_names: ['*.example.com'] }, false, /SNI a\.b\.example\.com/],
  ['no SNI at all', { certificate_names: ['origin.example.com'] }, false, /no SNI/],
  ['plain HTTP to the origin: no certificate to name', { listener: 'http' }, false, /came over http, with no certificate/],
];

for (const [name, entry, matches, why] of cases) {
  t.test(name, async (t) => {
    const failures = originRequest({ sni_matches_certificate: true }, observe(entry));
    t.equal(failures.length, matches ? 0 : 1);
    if (why) t.match(String(failures[0]?.actual), why);
    // and the opposite expectation fails exactly where this one holds
    t.equal(originRequest({ sni_matches_certificate: false }, observe(entry)).length, matches ? 1 : 0);
  });
}

t.test('nothing reached the origin', async (t) => {
  const failures = originRequest({ sni_matches_certificate: true }, { ...observe({}), originEntries: [] });
  t.match(failures, [{ expectation: 'origin_request', actual: 'no request reached the origin' }]);
});
