// expect.origin_request.sni_matches_certificate: the SNI the edge sent must
// name the certificate the origin's listener presented (the origin's hostname
// wherever the probe origin is deployed), wildcards matched as browsers do.
import t from 'tap';
import { originRequest } from '../harness/expect/originRequest.js';
import type { Observation } from '../harness/expect/observation.js';
import type { OriginLogEntry } from '../harness/origin/originControl.js';

const base: OriginLogEntry = {
  seq: 1,
  at: 0,
  method: 'GET',
  url: '/',
  headers: {},
  peer: '127.0.0.1',
  listener: 'https:valid',
};
const observe = (entry: Partial<OriginLogEntry>): Observation => ({
  response: { status: 200, headers: {}, body: Buffer.alloc(0) } as unknown as Observation['response'],
  originEntries: [{ ...base, ...entry }],
});

const cases: Array<[string, Partial<OriginLogEntry>, boolean, RegExp | undefined]> = [
  [
    'the SNI is a name of the certificate',
    { sni: 'origin.example.com', certificate_names: ['origin.example.com'] },
    true,
    undefined,
  ],
  [
    'a wildcard certificate covers the SNI',
    { sni: 'Origin.Example.COM', certificate_names: ['*.example.com'] },
    true,
    undefined,
  ],
  [
    'another name as SNI',
    { sni: 'www.example.com', certificate_names: ['origin.example.com'] },
    false,
    /SNI www\.example\.com; the origin's certificate is for origin\.example\.com/,
  ],
  [
    'a wildcard covers one label only',
    { sni: 'a.b.example.com', certificate_names: ['*.example.com'] },
    false,
    /SNI a\.b\.example\.com/,
  ],
  ['no SNI at all', { certificate_names: ['origin.example.com'] }, false, /no SNI/],
  [
    'plain HTTP to the origin: no certificate to name',
    { listener: 'http' },
    false,
    /came over http, with no certificate/,
  ],
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

t.test('a vendor claim against the origin log', async (t) => {
  const { claimAgrees } = await import('../harness/expect/servedBy.js');
  const answer = (status: number, seq?: number) =>
    ({
      status,
      headers: seq ? { 'x-edgecheck-origin-seq': String(seq) } : {},
      body: Buffer.alloc(0),
    }) as unknown as Observation['response'];
  const entry = { ...base, seq: 7 };
  const cases: Array<[string, Parameters<typeof claimAgrees>[0], Observation, boolean]> = [
    ['a hit the origin never saw', 'hit', { response: answer(200, 3), originEntries: [] }, true],
    ['a hit the origin answered: a lie', 'hit', { response: answer(200, 7), originEntries: [entry] }, false],
    ['a miss the origin answered', 'miss', { response: answer(200, 7), originEntries: [entry] }, true],
    ['a miss the origin never saw: a lie', 'miss', { response: answer(200, 3), originEntries: [] }, false],
    [
      "a miss ending in the edge's own 502 (TLS to the origin failed)",
      'miss',
      { response: answer(502), originEntries: [] },
      true,
    ],
    ['a 502 the origin sent, claimed a miss', 'miss', { response: answer(502, 7), originEntries: [entry] }, true],
    ['a revalidation either way', 'revalidated', { response: answer(200, 3), originEntries: [entry] }, true],
  ];
  for (const [name, claim, obs, agrees] of cases) t.equal(claimAgrees(claim, obs), agrees, name);
});

t.test('origin.settle: a background fetch that reaches the origin late still counts for its step', async (t) => {
  const { requestStep } = await import('../harness/steps/request.js');
  type Target = import('../harness/target/openTarget.js').OpenTarget;
  // the edge answers at once, from its cache; a background refresh reaches the origin 400 ms later
  const run = async (settle: string | undefined) => {
    let answeredAt = Infinity;
    const target = {
      name: 't',
      url: new URL('https://cdn.example.com'),
      hostnames: ['cdn.example.com'],
      addresses: [],
      routes: { default: { path: '/' } },
      cacheStatus: { name: 'rfc9211', read: () => undefined, detect: () => false },
      config: {
        url: 'https://cdn.example.com',
        origin: { control: 'https://o', token: 'tttt', ...(settle ? { settle } : {}) },
      },
      origin: { log: async () => (performance.now() - answeredAt >= 400 ? [{ ...base, seq: 2 }] : []) },
      http: {
        send: async () => {
          answeredAt = performance.now();
          // the stored copy came from an earlier fetch, origin request 1
          return { status: 200, headers: { 'x-edgecheck-origin-seq': '1' }, body: Buffer.alloc(0), durationMs: 1 };
        },
        // the connection was not dropped after the answer
        bytesAfter: () => undefined,
      },
    } as unknown as Target;
    return requestStep.run({ get: '/' }, { target, checkKey: '/.edgecheck/r/s.c/', defaultTimeoutMs: 1000, check: {} });
  };
  t.equal((await run(undefined)).origin_seen, false, 'the default 50 ms is too short for it');
  const settled = await run('1s');
  t.equal(settled.origin_seen, true, 'settle: 1s waits for it');
  t.equal(settled.served_by, 'cache', 'and the answer was still the cached one');
});
