// Table-driven tests of the cache-status dialects on header samples as the CDNs
// and caches send them (vendor docs, RFC 9211 examples, captured responses).
import t from 'tap';
import {
  dialectByName,
  dialectNames,
  dialects,
  type CacheClaim,
  type DialectName,
  type ResponseHeaders,
} from '../harness/cacheStatus/index.js';

interface Sample {
  title: string;
  headers: ResponseHeaders;
  /** undefined: the headers carry no claim in this dialect */
  claim: CacheClaim | undefined;
  /** a subset of the reading's detail */
  detail?: Record<string, string | number>;
  evidence?: string;
}

const cfVia = '1.1 5d9f6c4a1b2e3f40a1b2c3d4e5f60718.cloudfront.net (CloudFront)';
const fastlyTimer = 'S1470672957.176394,VS0,VE0';
const cfRay = '8c7d2d4bfd1a1f3e-LHR';
const akamaiServer = '(AkamaiGHost/10.8.2-44224537) (-)';
const squidVia = '1.1 lab.edgecheck.test (squid/5.7)';
const atsVia = (codes: string) => `http/1.1 edge.example.net (ApacheTrafficServer/9.2.3 [${codes}])`;

const samples: Record<DialectName, Sample[]> = {
  cloudfront: [
    {
      title: 'Hit, with the edge location',
      headers: { 'x-cache': 'Hit from cloudfront', 'x-amz-cf-pop': 'IAD89-C1', via: cfVia },
      claim: 'hit',
      detail: { status: 'Hit', pop: 'IAD89-C1' },
      evidence: 'x-cache: Hit from cloudfront',
    },
    {
      title: 'Miss',
      headers: { 'x-cache': 'Miss from cloudfront', 'x-amz-cf-pop': 'LHR61-P2', 'x-amz-cf-id': 'abc==' },
      claim: 'miss',
      detail: { pop: 'LHR61-P2' },
    },
    { title: 'RefreshHit', headers: { 'x-cache': 'RefreshHit from cloudfront' }, claim: 'revalidated' },
    { title: 'Error', headers: { 'x-cache': 'Error from cloudfront' }, claim: 'error' },
    {
      title: 'LimitExceeded',
      headers: { 'x-cache': 'LimitExceeded from cloudfront' },
      claim: 'error',
      detail: { status: 'LimitExceeded', reason: 'a CloudFront quota was exceeded' },
    },
    { title: 'CapacityExceeded', headers: { 'x-cache': 'CapacityExceeded from cloudfront' }, claim: 'error' },
    {
      title: 'Redirect (HTTP to HTTPS)',
      headers: { 'x-cache': 'Redirect from cloudfront' },
      claim: 'bypass',
      detail: { status: 'Redirect' },
    },
    {
      title: 'FunctionGeneratedResponse',
      headers: { 'x-cache': 'FunctionGeneratedResponse from cloudfront', 'x-amz-cf-pop': 'FRA56-P5' },
      claim: 'bypass',
      detail: { reason: 'generated at the edge by a function' },
    },
    { title: 'case as sent by older edges', headers: { 'x-cache': 'HIT from CloudFront' }, claim: 'hit' },
    {
      title: 'repeated X-Cache: CloudFront line among an origin proxy line',
      headers: { 'x-cache': ['MISS from squid.origin.example', 'Hit from cloudfront'] },
      claim: 'hit',
      evidence: 'x-cache: MISS from squid.origin.example, Hit from cloudfront',
    },
    { title: 'an unknown result type', headers: { 'x-cache': 'Teleported from cloudfront' }, claim: undefined },
    { title: 'only the POP, no X-Cache', headers: { 'x-amz-cf-pop': 'IAD89-C1' }, claim: undefined },
    { title: "another cache's X-Cache", headers: { 'x-cache': 'HIT' }, claim: undefined },
  ],

  fastly: [
    {
      title: 'shielded hit at both nodes (Fastly docs)',
      headers: {
        'x-served-by': 'cache-jfk1041-JFK, cache-ord1720-ORD',
        'x-cache': 'HIT, HIT',
        'x-cache-hits': '1, 7',
        'x-timer': fastlyTimer,
      },
      claim: 'hit',
      detail: { pop: 'cache-ord1720-ORD', shield: 'cache-jfk1041-JFK', upstream: 'HIT', hits: 7 },
      evidence: 'x-cache: HIT, HIT',
    },
    {
      title: 'shield missed, edge hit',
      headers: {
        'x-served-by': 'cache-iad-kiad7000025-IAD, cache-lhr6330-LHR',
        'x-cache': 'MISS, HIT',
        'x-cache-hits': '0, 3',
      },
      claim: 'hit',
      detail: { upstream: 'MISS', hits: 3, pop: 'cache-lhr6330-LHR' },
    },
    {
      title: 'edge missed, shield hit: the edge closest to the client decides',
      headers: {
        'x-served-by': 'cache-iad-kiad7000025-IAD, cache-lhr6330-LHR',
        'x-cache': 'HIT, MISS',
        'x-cache-hits': '4, 0',
      },
      claim: 'miss',
      detail: { upstream: 'HIT', hits: 0 },
    },
    {
      title: 'unshielded miss',
      headers: { 'x-served-by': 'cache-lhr6330-LHR', 'x-cache': 'MISS', 'x-cache-hits': '0', 'x-timer': fastlyTimer },
      claim: 'miss',
      detail: { status: 'MISS', pop: 'cache-lhr6330-LHR', hits: 0 },
    },
    {
      title: 'a Varnish origin added its own X-Cache entry (drupal.org)',
      headers: {
        'x-served-by': 'cache-sea1927-SEA, cache-ams4133-AMS',
        'x-cache': 'MISS, HIT, HIT',
        'x-cache-hits': '3, 16',
        via: ['1.1 varnish', '1.1 varnish', '1.1 varnish'],
      },
      claim: 'hit',
      detail: { pop: 'cache-ams4133-AMS', upstream: 'MISS, HIT', hits: 16 },
    },
    {
      title: 'PASS written by custom VCL',
      headers: { 'x-served-by': 'cache-lhr6330-LHR', 'x-cache': 'PASS' },
      claim: 'bypass',
    },
    {
      title: 'repeated X-Cache lines',
      headers: { 'x-served-by': 'cache-lhr6330-LHR', 'x-cache': ['MISS', 'HIT'], 'x-cache-hits': ['0', '2'] },
      claim: 'hit',
      detail: { upstream: 'MISS', hits: 2 },
    },
    { title: 'X-Timer only', headers: { 'x-timer': fastlyTimer }, claim: undefined },
    {
      title: 'a state Fastly never reports',
      headers: { 'x-served-by': 'cache-lhr6330-LHR', 'x-cache': 'HIT-STALE' },
      claim: undefined,
    },
  ],

  cloudflare: [
    {
      title: 'two tiers, joined on one line: the last is closest to the client',
      headers: { 'cf-cache-status': 'MISS, HIT' },
      claim: 'hit',
    },
    {
      title: 'HIT, with the data centre from CF-Ray',
      headers: { 'cf-cache-status': 'HIT', 'cf-ray': cfRay, server: 'cloudflare', age: '1200' },
      claim: 'hit',
      detail: { status: 'HIT', pop: 'LHR' },
      evidence: 'cf-cache-status: HIT',
    },
    { title: 'MISS', headers: { 'cf-cache-status': 'MISS', 'cf-ray': cfRay }, claim: 'miss' },
    {
      title: 'EXPIRED is a miss after expiry',
      headers: { 'cf-cache-status': 'EXPIRED', 'cf-ray': cfRay },
      claim: 'miss',
      detail: { status: 'EXPIRED', reason: 'expired: the cached copy was refetched from origin' },
    },
    { title: 'STALE', headers: { 'cf-cache-status': 'STALE' }, claim: 'stale' },
    { title: 'UPDATING', headers: { 'cf-cache-status': 'UPDATING' }, claim: 'stale', detail: { status: 'UPDATING' } },
    { title: 'REVALIDATED', headers: { 'cf-cache-status': 'REVALIDATED' }, claim: 'revalidated' },
    { title: 'BYPASS', headers: { 'cf-cache-status': 'BYPASS' }, claim: 'bypass' },
    {
      title: 'DYNAMIC',
      headers: { 'cf-cache-status': 'DYNAMIC', 'cf-ray': cfRay },
      claim: 'bypass',
      detail: { status: 'DYNAMIC' },
    },
    {
      title: 'NONE',
      headers: { 'cf-cache-status': 'NONE' },
      claim: 'bypass',
      detail: { reason: 'generated at the edge' },
    },
    { title: 'UNKNOWN', headers: { 'cf-cache-status': 'UNKNOWN' }, claim: 'bypass' },
    { title: 'lower case', headers: { 'cf-cache-status': 'hit' }, claim: 'hit' },
    {
      title: 'a CF-Ray without a data centre',
      headers: { 'cf-cache-status': 'HIT', 'cf-ray': '8c7d2d4bfd1a1f3e' },
      claim: 'hit',
    },
    { title: 'repeated header: the last line', headers: { 'cf-cache-status': ['MISS', 'HIT'] }, claim: 'hit' },
    { title: 'an unknown status', headers: { 'cf-cache-status': 'DEFERRED' }, claim: undefined },
    { title: 'CF-Ray only', headers: { 'cf-ray': cfRay }, claim: undefined },
  ],

  akamai: [
    {
      title: 'TCP_MEM_HIT (Akamai debug headers)',
      headers: { 'x-cache': `TCP_MEM_HIT from a69-174-50-208 ${akamaiServer}`, 'x-check-cacheable': 'YES' },
      claim: 'hit',
      detail: { status: 'TCP_MEM_HIT', pop: 'a69-174-50-208' },
      evidence: `x-cache: TCP_MEM_HIT from a69-174-50-208 ${akamaiServer}`,
    },
    {
      title: 'TCP_HIT',
      headers: { 'x-cache': `TCP_HIT from a23-62-226-135.deploy.akamaitechnologies.com ${akamaiServer}` },
      claim: 'hit',
      detail: { pop: 'a23-62-226-135.deploy.akamaitechnologies.com' },
    },
    {
      title: 'TCP_MISS at the edge, hit at the parent',
      headers: {
        'x-cache': `TCP_MISS from a23-62-226-135.deploy.akamaitechnologies.com ${akamaiServer}`,
        'x-cache-remote': `TCP_HIT from a184-51-198-77.deploy.akamaitechnologies.com ${akamaiServer}`,
      },
      claim: 'miss',
      detail: { upstream: 'TCP_HIT' },
    },
    {
      title: 'TCP_REFRESH_HIT',
      headers: { 'x-cache': `TCP_REFRESH_HIT from a1-2-3-4 ${akamaiServer}` },
      claim: 'revalidated',
    },
    {
      title: 'TCP_REFRESH_MISS',
      headers: { 'x-cache': `TCP_REFRESH_MISS from a1-2-3-4 ${akamaiServer}` },
      claim: 'miss',
      detail: { reason: 'stale copy replaced by a new one from origin' },
    },
    {
      title: 'TCP_REFRESH_FAIL_HIT',
      headers: { 'x-cache': `TCP_REFRESH_FAIL_HIT from a1-2-3-4 ${akamaiServer}` },
      claim: 'stale',
    },
    { title: 'TCP_IMS_HIT', headers: { 'x-cache': `TCP_IMS_HIT from a1-2-3-4 ${akamaiServer}` }, claim: 'hit' },
    {
      title: 'TCP_NEGATIVE_HIT',
      headers: { 'x-cache': `TCP_NEGATIVE_HIT from a1-2-3-4 ${akamaiServer}` },
      claim: 'hit',
      detail: { status: 'TCP_NEGATIVE_HIT', reason: 'negative: a cached error response' },
    },
    { title: 'TCP_DENIED', headers: { 'x-cache': `TCP_DENIED from a1-2-3-4 ${akamaiServer}` }, claim: 'error' },
    {
      title: 'TCP_COOKIE_DENY',
      headers: { 'x-cache': `TCP_COOKIE_DENY from a1-2-3-4 ${akamaiServer}` },
      claim: 'error',
    },
    { title: 'a bare code', headers: { 'x-cache': 'TCP_HIT' }, claim: 'hit', detail: { status: 'TCP_HIT' } },
    {
      title: 'Akamai-Cache-Status, child only',
      headers: { 'akamai-cache-status': 'Hit from child' },
      claim: 'hit',
      detail: { status: 'Hit' },
      evidence: 'akamai-cache-status: Hit from child',
    },
    {
      title: 'Akamai-Cache-Status through the parent tier',
      headers: { 'akamai-cache-status': 'Miss from child, Miss from parent' },
      claim: 'miss',
      detail: { upstream: 'Miss' },
    },
    {
      title: 'Akamai-Cache-Status: the child decides, the parent hit is upstream',
      headers: { 'akamai-cache-status': ['Miss from child', 'Hit from parent'] },
      claim: 'miss',
      detail: { upstream: 'Hit' },
    },
    { title: 'RefreshHit', headers: { 'akamai-cache-status': 'RefreshHit from child' }, claim: 'revalidated' },
    { title: 'HitStale', headers: { 'akamai-cache-status': 'HitStale from child' }, claim: 'stale' },
    { title: 'NotCacheable', headers: { 'akamai-cache-status': 'NotCacheable from child' }, claim: 'bypass' },
    { title: 'Constructed', headers: { 'akamai-cache-status': 'Constructed from child' }, claim: 'bypass' },
    { title: 'Redirect', headers: { 'akamai-cache-status': 'Redirect from child' }, claim: 'bypass' },
    { title: 'Error', headers: { 'akamai-cache-status': 'Error from child' }, claim: 'error' },
    {
      title: 'the debug X-Cache wins over Akamai-Cache-Status',
      headers: {
        'x-cache': `TCP_REFRESH_MISS from a1-2-3-4 ${akamaiServer}`,
        'akamai-cache-status': 'Miss from child',
      },
      claim: 'miss',
      detail: { status: 'TCP_REFRESH_MISS' },
    },
    {
      title: 'an unknown TCP_ code falls back to Akamai-Cache-Status',
      headers: { 'x-cache': `TCP_SPECIAL_HIT from a1-2-3-4 ${akamaiServer}`, 'akamai-cache-status': 'Hit from child' },
      claim: 'hit',
      detail: { status: 'Hit' },
    },
    { title: 'an unknown status', headers: { 'akamai-cache-status': 'Warped from child' }, claim: undefined },
    { title: 'parent only', headers: { 'akamai-cache-status': 'Hit from parent' }, claim: undefined },
    { title: 'not the tier syntax', headers: { 'akamai-cache-status': 'HIT' }, claim: undefined },
    {
      title: 'X-Cache-Remote only',
      headers: { 'x-cache-remote': `TCP_HIT from a1-2-3-4 ${akamaiServer}` },
      claim: undefined,
    },
  ],

  rfc9211: [
    {
      title: 'hit (RFC 9211 example)',
      headers: { 'cache-status': 'ExampleCache; hit' },
      claim: 'hit',
      detail: { cache: 'ExampleCache' },
      evidence: 'cache-status: ExampleCache; hit',
    },
    {
      title: 'uri-miss, stored',
      headers: { 'cache-status': 'ExampleCache; fwd=uri-miss; stored' },
      claim: 'miss',
      detail: { fwd: 'uri-miss', stored: 'true' },
    },
    { title: 'miss', headers: { 'cache-status': 'ExampleCache; fwd=miss' }, claim: 'miss' },
    { title: 'vary-miss', headers: { 'cache-status': 'ExampleCache; fwd=vary-miss; stored' }, claim: 'miss' },
    { title: 'partial', headers: { 'cache-status': 'ExampleCache; fwd=partial' }, claim: 'miss' },
    {
      title: 'stale, revalidated with a 304',
      headers: { 'cache-status': 'ExampleCache; fwd=stale; fwd-status=304' },
      claim: 'revalidated',
      detail: { fwd: 'stale', 'fwd-status': 304 },
    },
    {
      title: 'stale, replaced by a 200',
      headers: { 'cache-status': 'ExampleCache; fwd=stale; fwd-status=200; stored' },
      claim: 'miss',
      detail: { reason: 'stale: the stored response was refetched from origin', 'fwd-status': 200 },
    },
    { title: 'stale without fwd-status', headers: { 'cache-status': 'ExampleCache; fwd=stale' }, claim: 'miss' },
    { title: 'bypass', headers: { 'cache-status': 'ExampleCache; fwd=bypass' }, claim: 'bypass' },
    {
      title: 'request (the client asked for a fresh copy)',
      headers: { 'cache-status': 'ExampleCache; fwd=request; fwd-status=304' },
      claim: 'bypass',
    },
    { title: 'method', headers: { 'cache-status': 'ExampleCache; fwd=method' }, claim: 'bypass' },
    {
      title: 'a hit past its freshness lifetime is stale',
      headers: { 'cache-status': 'ExampleCache; hit; ttl=-412' },
      claim: 'stale',
      detail: { ttl: -412 },
    },
    { title: 'a hit with ttl=0 is still a hit', headers: { 'cache-status': 'ExampleCache; hit; ttl=0' }, claim: 'hit' },
    {
      title: 'two caches: the last, closest to the client, decides',
      headers: { 'cache-status': 'OriginCache; hit; ttl=1100, "CDN Company Here"; hit; ttl=545' },
      claim: 'hit',
      detail: { cache: 'CDN Company Here', ttl: 545, upstream: 'OriginCache; hit; ttl=1100' },
    },
    {
      title: 'shield hit, edge miss',
      headers: { 'cache-status': 'Shield; hit, Edge; fwd=miss; collapsed' },
      claim: 'miss',
      detail: { cache: 'Edge', collapsed: 'true', upstream: 'Shield; hit' },
    },
    {
      title: 'repeated lines form one list',
      headers: { 'cache-status': ['OriginCache; fwd=uri-miss; stored', 'EdgeCache; hit; ttl=30'] },
      claim: 'hit',
      detail: { cache: 'EdgeCache', upstream: 'OriginCache; fwd=uri-miss; stored' },
      evidence: 'cache-status: OriginCache; fwd=uri-miss; stored, EdgeCache; hit; ttl=30',
    },
    {
      title: 'Squid: detail token and a key string with escapes',
      headers: { 'cache-status': 'proxy.example.net;fwd=miss;detail=mismatch;key="GET \\"/a\\" \\\\x"' },
      claim: 'miss',
      detail: { cache: 'proxy.example.net', detail: 'mismatch', key: 'GET "/a" \\x' },
    },
    { title: 'explicit booleans: hit=?1', headers: { 'cache-status': 'C; hit=?1' }, claim: 'hit' },
    { title: 'explicit booleans: hit=?0 then fwd', headers: { 'cache-status': 'C; hit=?0; fwd=miss' }, claim: 'miss' },
    {
      title: 'extension parameters: decimal, byte sequence, token with / and :',
      headers: { 'cache-status': 'C; hit; x-load=0.25; x-sig=:aGVsbG8=:; x-via=a/b:c; *x=-1.5' },
      claim: 'hit',
      detail: { 'x-load': 0.25, 'x-sig': 'aGVsbG8=', 'x-via': 'a/b:c', '*x': -1.5 },
    },
    {
      title: 'optional whitespace around members and after semicolons',
      headers: { 'cache-status': '  A; hit ,\tB;  fwd=bypass  ' },
      claim: 'bypass',
      detail: { cache: 'B' },
    },
    { title: 'an entry that neither hit nor forwarded', headers: { 'cache-status': 'C; stored' }, claim: undefined },
    { title: 'an unregistered fwd value', headers: { 'cache-status': 'C; fwd=teleport' }, claim: undefined },
    { title: 'empty', headers: { 'cache-status': '' }, claim: undefined },
    { title: 'invalid: trailing comma', headers: { 'cache-status': 'C; hit,' }, claim: undefined },
    { title: 'invalid: upper-case parameter key', headers: { 'cache-status': 'C; HIT' }, claim: undefined },
    { title: 'invalid: missing comma', headers: { 'cache-status': 'A; hit B; hit' }, claim: undefined },
    { title: 'invalid: unterminated string', headers: { 'cache-status': '"Cache; hit' }, claim: undefined },
    { title: 'invalid: bad escape', headers: { 'cache-status': '"a\\x"; hit' }, claim: undefined },
    { title: 'invalid: non-ASCII in a string', headers: { 'cache-status': '"caché"; hit' }, claim: undefined },
    { title: 'invalid: decimal without fraction', headers: { 'cache-status': 'C; hit; ttl=1.' }, claim: undefined },
    {
      title: 'invalid: 13 integer digits in a decimal',
      headers: { 'cache-status': 'C; hit; x=1234567890123.5' },
      claim: undefined,
    },
    {
      title: 'invalid: 16-digit integer',
      headers: { 'cache-status': 'C; hit; ttl=1234567890123456' },
      claim: undefined,
    },
    { title: 'invalid: bad boolean', headers: { 'cache-status': 'C; hit=?2' }, claim: undefined },
    { title: 'invalid: inner list', headers: { 'cache-status': '(A B); hit' }, claim: undefined },
    { title: 'invalid: not an item', headers: { 'cache-status': '@cache; hit' }, claim: undefined },
  ],

  nginx: [
    {
      title: 'two caches, joined on one line: the last is closest to the client',
      headers: { 'x-cache-status': 'MISS, HIT' },
      claim: 'hit',
    },
    {
      title: 'HIT',
      headers: { 'x-cache-status': 'HIT', server: 'nginx/1.24.0' },
      claim: 'hit',
      detail: { status: 'HIT' },
      evidence: 'x-cache-status: HIT',
    },
    { title: 'MISS', headers: { 'x-cache-status': 'MISS' }, claim: 'miss' },
    {
      title: 'EXPIRED is a miss after expiry',
      headers: { 'x-cache-status': 'EXPIRED' },
      claim: 'miss',
      detail: { reason: 'expired: the cached copy was refetched from upstream' },
    },
    { title: 'STALE', headers: { 'x-cache-status': 'STALE' }, claim: 'stale' },
    { title: 'UPDATING', headers: { 'x-cache-status': 'UPDATING' }, claim: 'stale', detail: { status: 'UPDATING' } },
    { title: 'REVALIDATED', headers: { 'x-cache-status': 'REVALIDATED' }, claim: 'revalidated' },
    { title: 'BYPASS', headers: { 'x-cache-status': 'BYPASS' }, claim: 'bypass' },
    { title: 'repeated header: the last line', headers: { 'x-cache-status': ['MISS', 'HIT'] }, claim: 'hit' },
    { title: 'not an nginx status', headers: { 'x-cache-status': 'cached' }, claim: undefined },
  ],

  trafficserver: [
    {
      title: 'xdebug hit-fresh',
      headers: { 'x-cache': 'hit-fresh', server: 'ATS/9.2.3' },
      claim: 'hit',
      detail: { status: 'hit-fresh' },
      evidence: 'x-cache: hit-fresh',
    },
    { title: 'xdebug hit-stale', headers: { 'x-cache': 'hit-stale' }, claim: 'stale' },
    { title: 'xdebug miss', headers: { 'x-cache': 'miss', server: 'ATS/9.2.3' }, claim: 'miss' },
    {
      title: 'xdebug skipped',
      headers: { 'x-cache': 'skipped' },
      claim: 'bypass',
      detail: { reason: 'cache lookup skipped' },
    },
    { title: 'xdebug none', headers: { 'x-cache': 'none' }, claim: 'bypass' },
    { title: 'xdebug on the parent too: the last entry', headers: { 'x-cache': ['miss', 'hit-fresh'] }, claim: 'hit' },
    {
      title: 'Via: fresh hit',
      headers: { via: atsVia('uScHs f p eN:t cCHp s ') },
      claim: 'hit',
      detail: { codes: 'uScHs f p eN' },
      evidence: `via: ${atsVia('uScHs f p eN:t cCHp s ')}`,
    },
    { title: 'Via: RAM hit, short codes', headers: { via: atsVia('cRs f ') }, claim: 'hit' },
    { title: 'Via: only the lookup letter', headers: { via: atsVia('cH') }, claim: 'hit' },
    { title: 'Via: miss, served and written', headers: { via: atsVia('uScMsSfWpSeN:t cCMp sS') }, claim: 'miss' },
    { title: 'Via: in cache, not acceptable', headers: { via: atsVia('uScAsSfW') }, claim: 'miss' },
    { title: 'Via: stale, origin said not modified', headers: { via: atsVia('uIcSsNfU') }, claim: 'revalidated' },
    {
      title: 'Via: stale, origin served a new copy',
      headers: { via: atsVia('uScSsSfU') },
      claim: 'miss',
      detail: { reason: 'stale copy refetched from origin' },
    },
    { title: 'Via: stale, served without origin', headers: { via: atsVia('uScSs f ') }, claim: 'stale' },
    { title: 'Via: no cache lookup', headers: { via: atsVia('uSc s f ') }, claim: 'bypass' },
    {
      title: 'Via wins over xdebug: a stale copy revalidated',
      headers: { via: atsVia('uScSsNfU pSeN:t cCSp sS'), 'x-cache': 'hit-stale' },
      claim: 'revalidated',
    },
    {
      title: 'Via chain: the child, closest to the client, decides',
      headers: {
        via:
          'http/1.1 parent.example.net (ApacheTrafficServer/9.2.3 [uScMsSfW pSeN:t cCMp sS]), ' +
          atsVia('uScHs f p eN:t cCHp s '),
      },
      claim: 'hit',
    },
    {
      title: 'Via codes without a lookup letter fall back to X-Cache',
      headers: { via: atsVia('uS'), 'x-cache': 'miss' },
      claim: 'miss',
    },
    { title: 'an unknown lookup letter', headers: { via: atsVia('uScZsS') }, claim: undefined },
    { title: 'a Via without codes', headers: { via: 'http/1.1 edge (ApacheTrafficServer/9.2.3)' }, claim: undefined },
    { title: 'ATS server header only', headers: { server: 'ATS/9.2.3' }, claim: undefined },
  ],

  varnish: [
    {
      title: 'two caches, joined on one line: the last is closest to the client',
      headers: { 'x-cache': 'MISS, HIT', via: '1.1 varnish (Varnish/7.4)' },
      claim: 'hit',
    },
    {
      title: 'the same as repeated lines',
      headers: { 'x-cache': ['HIT', 'MISS'], via: '1.1 varnish (Varnish/7.4)' },
      claim: 'miss',
    },
    {
      title: 'one id: a miss',
      headers: { 'x-varnish': '32773', via: '1.1 varnish (Varnish/7.4)', age: '0' },
      claim: 'miss',
      detail: { xid: '32773' },
      evidence: 'x-varnish: 32773',
    },
    {
      title: 'two ids: a hit',
      headers: { 'x-varnish': '32776 32770', via: '1.1 varnish (Varnish/7.4)', age: '5' },
      claim: 'hit',
      detail: { xid: '32776', storedBy: '32770' },
    },
    { title: 'Varnish behind Varnish: the last line', headers: { 'x-varnish': ['1001', '2002 1999'] }, claim: 'hit' },
    { title: 'folded into one line', headers: { 'x-varnish': '2002 1999, 1001' }, claim: 'miss' },
    {
      title: 'an X-Cache set by the VCL wins',
      headers: { 'x-cache': 'HIT', 'x-varnish': '32776', via: '1.1 varnish (Varnish/6.0)' },
      claim: 'hit',
      detail: { status: 'HIT' },
      evidence: 'x-cache: HIT',
    },
    { title: 'VCL X-Cache MISS', headers: { 'x-cache': 'MISS', 'x-varnish': '32777' }, claim: 'miss' },
    {
      title: 'VCL X-Cache with the hit count',
      headers: { 'x-cache': 'HIT: 3', 'x-varnish': '32779 32770' },
      claim: 'hit',
    },
    { title: 'VCL X-Cache PASS', headers: { 'x-cache': 'pass', via: '1.1 varnish (Varnish/7.4)' }, claim: 'bypass' },
    { title: 'Via only', headers: { via: '1.1 varnish (Varnish/7.4)' }, claim: undefined },
    { title: 'three ids', headers: { 'x-varnish': '1 2 3' }, claim: undefined },
    { title: 'not an id', headers: { 'x-varnish': 'abc' }, claim: undefined },
  ],

  squid: [
    {
      title: 'a hit, as Squid 5.7 sends it',
      headers: {
        'x-cache': 'HIT from lab.edgecheck.test',
        'x-cache-lookup': 'HIT from lab.edgecheck.test:3128',
        via: squidVia,
        age: '0',
      },
      claim: 'hit',
      detail: { status: 'HIT', host: 'lab.edgecheck.test' },
      evidence: 'x-cache: HIT from lab.edgecheck.test',
    },
    {
      title: 'a miss',
      headers: {
        'x-cache': 'MISS from lab.edgecheck.test',
        'x-cache-lookup': 'MISS from lab.edgecheck.test:3128',
        via: squidVia,
      },
      claim: 'miss',
    },
    {
      title: 'Squid behind Squid: the last line is the one closest to the client',
      headers: { 'x-cache': ['HIT from parent.example.net', 'MISS from child.example.net'] },
      claim: 'miss',
      detail: { host: 'child.example.net' },
    },
    {
      title: 'X-Cache withheld: X-Cache-Lookup',
      headers: { 'x-cache-lookup': 'HIT from edge.example.net:80', via: squidVia },
      claim: 'hit',
      evidence: 'x-cache-lookup: HIT from edge.example.net:80',
    },
    {
      title: 'X-Cache-Lookup NONE: no lookup was made',
      headers: { 'x-cache-lookup': 'NONE from edge.example.net:80' },
      claim: 'bypass',
      detail: { status: 'NONE' },
    },
    {
      title: 'X-Cache wins over X-Cache-Lookup',
      headers: { 'x-cache': 'MISS from edge.example.net', 'x-cache-lookup': 'NONE from edge.example.net:80' },
      claim: 'miss',
    },
    {
      title: 'X-Cache never says NONE: X-Cache-Lookup decides',
      headers: { 'x-cache': 'NONE from edge.example.net', 'x-cache-lookup': 'MISS from edge.example.net:80' },
      claim: 'miss',
    },
    { title: "CloudFront's line is not Squid's", headers: { 'x-cache': 'HIT from CloudFront' }, claim: undefined },
    {
      title: "lower-case words are not Squid's",
      headers: { 'x-cache': 'hit from edge.example.net' },
      claim: undefined,
    },
    { title: 'Via only', headers: { via: squidVia }, claim: undefined },
  ],
};

t.test('each dialect reads its samples', async (t) => {
  for (const name of dialectNames) {
    const dialect = dialects[name];
    t.equal(dialect.name, name, `${name} is registered under its own name`);
    for (const sample of samples[name]) {
      const reading = dialect.read(sample.headers);
      const what = `${name}: ${sample.title}`;
      t.equal(reading?.claim, sample.claim, what);
      if (sample.detail) t.hasStrict(reading?.detail, sample.detail, `${what} (detail)`);
      if (sample.evidence) t.equal(reading?.evidence, sample.evidence, `${what} (evidence)`);
    }
  }
});

t.test('auto recognises each dialect and reads the same claim', async (t) => {
  const auto = dialectByName('auto');
  t.equal(auto.name, 'auto');
  for (const name of dialectNames) {
    for (const sample of samples[name].filter((s) => s.claim !== undefined)) {
      const what = `${name}: ${sample.title}`;
      t.ok(auto.detect(sample.headers), `${what} (detected)`);
      const reading = auto.read(sample.headers);
      t.equal(reading?.claim, sample.claim, what);
      t.same(reading?.detail, { ...dialects[name].read(sample.headers)?.detail, dialect: name }, `${what} (detail)`);
    }
  }
});

t.test('auto: the most specific dialect comes first', async (t) => {
  const auto = dialectByName('auto');
  const cases: { title: string; headers: ResponseHeaders; dialect: DialectName; claim: CacheClaim }[] = [
    {
      title: 'Cloudflare in front of a Varnish origin',
      headers: { 'cf-cache-status': 'MISS', 'cf-ray': cfRay, 'x-cache': 'HIT', 'x-varnish': '11 10' },
      dialect: 'cloudflare',
      claim: 'miss',
    },
    {
      title: 'CloudFront in front of an origin sending Cache-Status',
      headers: { 'x-cache': 'Miss from cloudfront', 'cache-status': 'OriginCache; hit' },
      dialect: 'cloudfront',
      claim: 'miss',
    },
    {
      title: 'Fastly says Via: varnish, but is Fastly',
      headers: { 'x-cache': 'HIT', 'x-served-by': 'cache-lhr6330-LHR', via: '1.1 varnish', 'x-varnish': '1 2' },
      dialect: 'fastly',
      claim: 'hit',
    },
    {
      title: 'Cache-Status before nginx X-Cache-Status',
      headers: { 'cache-status': 'nginx; fwd=stale; fwd-status=304', 'x-cache-status': 'REVALIDATED' },
      dialect: 'rfc9211',
      claim: 'revalidated',
    },
    {
      title: 'CloudFront in front of a Squid origin',
      headers: { 'x-cache': ['MISS from squid.origin.example', 'Hit from cloudfront'], via: squidVia },
      dialect: 'cloudfront',
      claim: 'hit',
    },
    {
      title: 'a dialect that recognises the headers but finds no claim lets the next try',
      headers: { 'cf-ray': cfRay, 'cache-status': 'OriginCache; fwd=miss' },
      dialect: 'rfc9211',
      claim: 'miss',
    },
  ];
  for (const c of cases) {
    const reading = auto.read(c.headers);
    t.equal(reading?.claim, c.claim, c.title);
    t.equal(reading?.detail?.dialect, c.dialect, `${c.title} (dialect)`);
  }
});

t.test('no claim anywhere', async (t) => {
  const auto = dialectByName('auto');
  const plain: ResponseHeaders = { 'content-type': 'text/html', 'cache-control': 'max-age=60', age: '3' };
  t.notOk(auto.detect(plain), 'plain origin headers are no dialect');
  t.equal(auto.read(plain), undefined);
  t.equal(auto.read({}), undefined);
  t.equal(auto.read({ 'x-cache': 'Teleported from squid.example.net' }), undefined, 'an X-Cache no dialect knows');
  t.equal(auto.read({ 'cf-ray': cfRay }), undefined, 'detected, but no claim in any dialect');
  for (const name of dialectNames) {
    t.notOk(dialects[name].detect(plain), `${name} does not claim plain headers`);
    t.equal(dialects[name].read({}), undefined, `${name} reads nothing from no headers`);
  }
});

t.test('detection cues', async (t) => {
  const cues: [DialectName, ResponseHeaders][] = [
    ['cloudfront', { 'x-amz-cf-id': 'abc==' }],
    ['cloudfront', { 'x-amz-cf-pop': 'IAD89-C1' }],
    ['cloudfront', { 'x-cache': 'Hit from cloudfront' }],
    ['fastly', { 'x-served-by': 'cache-lhr6330-LHR' }],
    ['fastly', { 'x-timer': fastlyTimer }],
    ['cloudflare', { 'cf-ray': cfRay }],
    ['akamai', { 'akamai-cache-status': 'Hit from child' }],
    ['akamai', { 'x-cache-remote': `TCP_HIT from a1-2-3-4 ${akamaiServer}` }],
    ['rfc9211', { 'cache-status': 'C; hit' }],
    ['nginx', { 'x-cache-status': 'MISS' }],
    ['trafficserver', { server: 'ATS/9.2.3' }],
    ['trafficserver', { via: 'http/1.1 edge (ApacheTrafficServer/9.2.3)' }],
    ['varnish', { 'x-varnish': '1' }],
    ['varnish', { via: '1.1 varnish (Varnish/7.4)' }],
    ['squid', { via: squidVia }],
    ['squid', { 'x-cache': 'MISS from edge.example.net' }],
    ['squid', { 'x-cache-lookup': 'NONE from edge.example.net:80' }],
  ];
  for (const [name, headers] of cues) t.ok(dialects[name].detect(headers), `${name}: ${JSON.stringify(headers)}`);
  t.notOk(dialects.fastly.detect({ 'x-served-by': 'origin-1' }), 'fastly: a non-Fastly X-Served-By');
  t.notOk(dialects.nginx.detect({ 'x-cache-status': 'cached' }), 'nginx: not its vocabulary');
  t.notOk(dialects.trafficserver.detect({ 'x-cache': 'MISS' }), 'trafficserver: upper-case is not xdebug');
  t.notOk(dialects.squid.detect({ 'x-cache': 'Hit from cloudfront' }), "squid: not CloudFront's X-Cache");
  t.notOk(dialects.squid.detect({ 'x-cache': 'HIT' }), 'squid: a bare HIT names no host');
});

t.test('names', async (t) => {
  t.same([...dialectNames].sort(), Object.keys(dialects).sort(), 'dialectNames lists every dialect');
  for (const name of dialectNames) t.equal(dialectByName(name), dialects[name], name);
});
