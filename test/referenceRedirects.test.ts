// The reference edge's redirects as the harness checks them (issue #13): plain HTTP to HTTPS with the
// promised status (308 for a POST), the path and query byte for byte, no HSTS over plain HTTP; other
// hostnames to the canonical one in one hop; a viewer sent to the EU site by address; the viewer's
// country told to the origin and kept in the cache key; origin redirects passed on and cached as
// CloudFront does. Each redirect fault switch flips the behaviour it names.
import http2 from 'node:http2';
import t, { type Test } from 'tap';
import { HttpClient, type WireResponse } from '../harness/http/client.js';
import { OriginControl, type OriginObject } from '../harness/origin/originControl.js';
import type { LabInstance } from '../harness/target/lab.js';
import type { ReferenceEdgeFault } from '../lab/referenceEdge/faults.js';
import { REDIRECT_FAULTS } from '../lab/referenceEdge/redirectFaults.js';
import { startReferenceLab } from '../lab/referenceLab.js';

const RUN = '/.edgecheck/redirref';
const CANONICAL = 'lab.edgecheck.test';
const OTHER = 'static.edgecheck.test';
/** percent-escapes (one in lower case), a repeated key, an empty value and unreserved marks, all to be kept */
const ODD_QUERY = '?a=%2F%3f&a=2&e=&Signature=x~y_-';
const EU_VIEWER = '127.0.0.20';
const DE_VIEWER = '127.0.0.21';
const FR_VIEWER = '127.0.0.22';
const OTHER_VIEWER = '127.0.0.200';

interface Ask {
  method?: string;
  scheme?: 'http' | 'https';
  host?: string;
  /** path and query, sent as written */
  path: string;
  /** the viewer's source address */
  from?: string;
  headers?: Record<string, string>;
  body?: string;
}

interface RedirectLab {
  lab: LabInstance;
  control: OriginControl;
  httpsPort: string;
  httpPort: string;
  send(ask: Ask): Promise<WireResponse>;
  /** programs a check key on the probe origin; returns the key */
  object(name: string, object: OriginObject): Promise<string>;
  /** the country header of each request that reached the origin under a key */
  countries(key: string): Promise<Array<string | undefined>>;
}

async function withLab(t: Test, faults: ReferenceEdgeFault[] = []): Promise<RedirectLab> {
  const lab = await startReferenceLab({ faults });
  const control = new OriginControl(lab.origin.control, lab.origin.token);
  const http = new HttpClient({ ca: lab.caPem });
  t.teardown(async () => {
    await http.close();
    await control.close();
    await lab.close();
  });
  const ports = { https: new URL(lab.url).port, http: new URL(lab.httpUrl).port };
  return {
    lab,
    control,
    httpsPort: ports.https,
    httpPort: ports.http,
    send: ({ method = 'GET', scheme = 'https', host = CANONICAL, path, from, headers, body }) =>
      http.send({
        method,
        url: new URL(`${scheme}://${host}:${ports[scheme]}${path}`),
        address: '127.0.0.1',
        ...(from ? { localAddress: from } : {}),
        ...(headers ? { headers } : {}),
        ...(body !== undefined ? { body } : {}),
        timeoutMs: 5000,
      }),
    async object(name, object) {
      const key = `${RUN}/redirects.${name}/`;
      await control.setObject(key, object);
      return key;
    },
    async countries(key) {
      return (await control.log(key)).map((entry) => entry.headers['cloudfront-viewer-country']);
    },
  };
}

/** Follows Location from `first` (pinned to the edge, as the harness pins the target's own hostnames). */
async function follow(lab: RedirectLab, first: Ask, maxHops = 5): Promise<{ hops: string[]; last: WireResponse }> {
  const hops: string[] = [];
  let ask = first;
  let last = await lab.send(ask);
  while (last.status >= 300 && last.status < 400 && hops.length < maxHops) {
    const next = new URL(String(last.headers['location']), `${ask.scheme ?? 'https'}://${ask.host ?? CANONICAL}/`);
    hops.push(`${last.status} ${next.href}`);
    ask = {
      ...ask,
      scheme: next.protocol === 'http:' ? 'http' : 'https',
      host: next.hostname,
      path: next.pathname + next.search,
    };
    last = await lab.send(ask);
  }
  return { hops, last };
}

const withoutHeader = (res: WireResponse, name: string) => res.headers[name] === undefined;

t.test('the lab declares its redirect promises', async (t) => {
  const { lab } = await withLab(t);
  t.same(lab.redirects, {
    https: 301,
    canonical_host: CANONICAL,
    country_header: 'CloudFront-Viewer-Country',
    viewer_location: [
      { from: EU_VIEWER, to: 'https://eu.lab.edgecheck.test/' },
      { country: 'DE', from: DE_VIEWER },
      { country: 'FR', from: FR_VIEWER },
    ],
  });
});

t.test('a correct edge', async (t) => {
  const lab = await withLab(t);
  const https = (host: string, path: string) => `https://${host}:${lab.httpsPort}${path}`;

  t.test('plain HTTP: the promised 301 to HTTPS on the same host, path and query byte for byte', async (t) => {
    const path = `/some%20dir/a.txt${ODD_QUERY}`;
    for (const method of ['GET', 'HEAD']) {
      const res = await lab.send({ method, scheme: 'http', path });
      t.equal(res.status, 301, `${method}: 301`);
      t.equal(res.headers['location'], https(CANONICAL, path), `${method}: the Location keeps every byte`);
      t.equal(res.headers['content-length'], '0', `${method}: no body`);
      t.ok(withoutHeader(res, 'strict-transport-security'), `${method}: no HSTS over plain HTTP`);
    }
    const other = await lab.send({ scheme: 'http', host: OTHER, path: '/x?y=1' });
    t.equal(other.headers['location'], https(OTHER, '/x?y=1'), 'the other hostname stays itself on the first hop');
  });

  t.test('plain HTTP POST and PUT: 308, which keeps the method and body', async (t) => {
    for (const method of ['POST', 'PUT']) {
      const res = await lab.send({ method, scheme: 'http', path: `/form${ODD_QUERY}`, body: 'a=1' });
      t.equal(res.status, 308, `${method}: 308`);
      t.equal(res.headers['location'], https(CANONICAL, `/form${ODD_QUERY}`));
    }
  });

  t.test('HTTPS on another hostname: 301 to the canonical host, one hop, HSTS kept', async (t) => {
    const res = await lab.send({ host: OTHER, path: `/p/q.css${ODD_QUERY}` });
    t.equal(res.status, 301);
    t.equal(res.headers['location'], https(CANONICAL, `/p/q.css${ODD_QUERY}`));
    t.match(res.headers['strict-transport-security'], /^max-age=\d+/, 'HSTS on every HTTPS answer, redirects too');
    t.equal((await lab.send({ method: 'POST', host: OTHER, path: '/form', body: 'a=1' })).status, 308, 'POST: 308');
  });

  t.test('HTTPS on another hostname over h2: the same redirect, to the HTTPS port', async (t) => {
    const session = http2.connect(`https://127.0.0.1:${lab.httpsPort}`, { ca: lab.lab.caPem, servername: OTHER });
    t.teardown(() => session.close());
    const headers = await new Promise<http2.IncomingHttpHeaders>((resolve, reject) => {
      const req = session.request({ ':path': '/h2?a=%2F', ':authority': `${OTHER}:${lab.httpsPort}` });
      req.on('response', resolve);
      req.on('error', reject);
      req.resume();
      req.end();
    });
    t.equal(headers[':status'], 301);
    t.equal(headers['location'], https(CANONICAL, '/h2?a=%2F'));
  });

  t.test('plain HTTP on another hostname: to HTTPS on it, then to the canonical host, then served', async (t) => {
    const key = await lab.object('two-hops', { body: 'here', headers: { 'cache-control': 'max-age=60' } });
    const { hops, last } = await follow(lab, { scheme: 'http', host: OTHER, path: `${key}a?q=%2F` });
    t.same(hops, [`301 ${https(OTHER, `${key}a?q=%2F`)}`, `301 ${https(CANONICAL, `${key}a?q=%2F`)}`]);
    t.equal(last.status, 200);
    t.equal(last.body, 'here');
  });

  t.test('a viewer from the EU address: 302 to the EU site, made at the edge, never cached', async (t) => {
    const key = await lab.object('eu', { body: 'us site', headers: { 'cache-control': 'max-age=60' } });
    const path = `${key}page${ODD_QUERY}`;
    const first = await lab.send({ path, from: EU_VIEWER });
    t.equal(first.status, 302);
    t.equal(first.headers['location'], `https://eu.lab.edgecheck.test${path}`);
    t.match(first.headers['strict-transport-security'], /^max-age=/);
    t.equal(
      (await lab.send({ path, from: OTHER_VIEWER })).body,
      'us site',
      'another viewer is served (and it is stored)',
    );
    t.equal((await lab.send({ path, from: EU_VIEWER })).status, 302, 'the EU viewer still gets its redirect');
    t.equal((await lab.send({ method: 'POST', path, from: EU_VIEWER, body: 'x' })).status, 307, 'POST: 307');
    t.equal((await lab.control.log(key)).length, 1, 'only the other viewer reached the origin');
    const plain = await lab.send({ scheme: 'http', path, from: EU_VIEWER });
    t.equal(plain.status, 301, 'over plain HTTP, to HTTPS first');
  });

  t.test('the viewer country reaches the origin on every request, whatever the viewer claims', async (t) => {
    const key = await lab.object('country', { body: 'x', headers: { 'cache-control': 'no-store' } });
    const claim = { 'cloudfront-viewer-country': 'DE' };
    await lab.send({ path: `${key}a`, from: DE_VIEWER });
    await lab.send({ path: `${key}a`, from: FR_VIEWER });
    await lab.send({ path: `${key}a`, from: OTHER_VIEWER, headers: claim });
    await lab.send({ path: `${key}a` });
    t.same(await lab.countries(key), ['DE', 'FR', 'US', 'US']);
  });

  t.test("an origin's redirect for DE viewers is never served to a FR viewer from the cache", async (t) => {
    const key = await lab.object('by-country', countryRedirect);
    const de = await lab.send({ path: `${key}home`, from: DE_VIEWER });
    t.equal(de.status, 301, 'DE: the origin redirects');
    t.equal(de.headers['location'], '/de/home', "the origin's relative Location, unchanged");
    t.equal((await lab.send({ path: `${key}home`, from: DE_VIEWER })).status, 301, 'DE again: from the cache');
    const fr = await lab.send({ path: `${key}home`, from: FR_VIEWER });
    t.equal(fr.status, 200, 'FR: not the DE redirect');
    t.equal(fr.body, 'home');
    t.same(await lab.countries(key), ['DE', 'FR'], 'the second DE request was a hit');
  });

  t.test('origin redirects: Location unchanged, 301 cached as told, 302/307/308 only with Cache-Control', async (t) => {
    const cases: Array<[string, OriginObject, number]> = [
      ['301-cc', { status: 301, headers: { location: '../b?x=%2F&x=', 'cache-control': 'max-age=60' } }, 1],
      ['302-bare', { status: 302, headers: { location: 'https://elsewhere.example/b' } }, 2],
      ['307-bare', { status: 307, headers: { location: '/b' } }, 2],
      ['308-bare', { status: 308, headers: { location: '/b' } }, 2],
      ['307-cc', { status: 307, headers: { location: '/b', 'cache-control': 'max-age=60' } }, 1],
    ];
    for (const [name, object, reached] of cases) {
      const key = await lab.object(name, object);
      const first = await lab.send({ path: `${key}a` });
      t.equal(first.status, object.status, `${name}: the origin's status`);
      t.equal(first.headers['location'], object.headers!['location'], `${name}: the origin's Location, unchanged`);
      await lab.send({ path: `${key}a` });
      t.equal((await lab.control.log(key)).length, reached, `${name}: ${reached} request(s) reached the origin`);
    }
  });
});

/** Redirects DE viewers (by the country header) and serves everyone else; both answers cacheable. */
const countryRedirect: OriginObject = {
  body: 'home',
  headers: { 'cache-control': 'max-age=60' },
  cases: [
    {
      when: { headers: { 'CloudFront-Viewer-Country': 'DE' } },
      status: 301,
      headers: { location: '/de/home', 'cache-control': 'max-age=60' },
    },
  ],
};

type RedirectFault = keyof typeof REDIRECT_FAULTS;

/** What each redirect fault switch breaks, shown on a lab started with it; the Record makes every switch have one. */
const FAULT_CHECKS: Record<RedirectFault, (t: Test, lab: RedirectLab) => Promise<void>> = {
  async 'redirect-drops-query'(t, lab) {
    const res = await lab.send({ scheme: 'http', path: `/a${ODD_QUERY}` });
    t.equal(res.headers['location'], `https://${CANONICAL}:${lab.httpsPort}/a`, 'the HTTPS Location has no query');
  },
  async 'redirect-302'(t, lab) {
    t.equal((await lab.send({ scheme: 'http', path: '/a' })).status, 302, '302 instead of 301');
    t.equal(lab.lab.redirects?.https, 301, 'the promise stands');
  },
  async 'redirect-loop'(t, lab) {
    const { hops } = await follow(lab, { path: '/a?b=1' }, 4);
    const to = (host: string) => `301 https://${host}:${lab.httpsPort}/a?b=1`;
    t.same(hops, [to(OTHER), to(CANONICAL), to(OTHER), to(CANONICAL)], 'the canonical host sends viewers away');
  },
  async 'redirect-other-host'(t, lab) {
    const res = await lab.send({ scheme: 'http', path: '/a?b=1' });
    t.equal(res.headers['location'], `https://${OTHER}:${lab.httpsPort}/a?b=1`, 'HTTPS on another hostname');
  },
  async 'hsts-over-http'(t, lab) {
    const res = await lab.send({ scheme: 'http', path: '/a' });
    t.match(res.headers['strict-transport-security'], /^max-age=/, 'HSTS on a plain-HTTP answer');
  },
  async 'redirect-post-301'(t, lab) {
    t.equal((await lab.send({ method: 'POST', scheme: 'http', path: '/form', body: 'a=1' })).status, 301, 'POST: 301');
    t.equal((await lab.send({ scheme: 'http', path: '/form' })).status, 301, 'GET unchanged');
  },
  async 'redirects-not-cached'(t, lab) {
    const key = await lab.object('moved', {
      status: 301,
      headers: { location: '/new', 'cache-control': 'max-age=60' },
    });
    await lab.send({ path: key });
    await lab.send({ path: key });
    t.equal((await lab.control.log(key)).length, 2, 'a 301 with max-age=60 went to the origin twice');
  },
  async 'caches-307'(t, lab) {
    const key = await lab.object('temporary', { status: 307, headers: { location: '/new' } });
    await lab.send({ path: key });
    await lab.send({ path: key });
    t.equal((await lab.control.log(key)).length, 1, 'a 307 without Cache-Control was stored');
  },
  async 'location-made-absolute'(t, lab) {
    const key = await lab.object('relative', {
      status: 302,
      headers: { location: 'next?x=1', 'cache-control': 'no-store' },
    });
    const res = await lab.send({ path: `${key}page` });
    t.equal(res.headers['location'], `https://${CANONICAL}:${lab.httpsPort}${key}next?x=1`, 'made absolute');
  },
  async 'viewer-redirect-cached'(t, lab) {
    const key = await lab.object('home', { body: 'home', headers: { 'cache-control': 'max-age=60' } });
    t.equal((await lab.send({ path: key, from: EU_VIEWER })).status, 302, 'the EU viewer is sent away');
    const other = await lab.send({ path: key, from: OTHER_VIEWER });
    t.equal(other.status, 302, "another viewer gets the EU viewer's redirect");
  },
  async 'country-not-in-cache-key'(t, lab) {
    const key = await lab.object('by-country', countryRedirect);
    t.equal((await lab.send({ path: `${key}home`, from: DE_VIEWER })).status, 301);
    t.equal((await lab.send({ path: `${key}home`, from: FR_VIEWER })).status, 301, "FR gets DE's redirect, cached");
    t.same(await lab.countries(key), ['DE'], 'the country still reached the origin; FR never did');
  },
};

t.test('each redirect fault switch flips what it names', async (t) => {
  for (const [fault, check] of Object.entries(FAULT_CHECKS) as Array<
    [RedirectFault, (typeof FAULT_CHECKS)[RedirectFault]]
  >) {
    t.test(`${fault}: ${REDIRECT_FAULTS[fault]}`, async (t) => check(t, await withLab(t, [fault])));
  }
});
