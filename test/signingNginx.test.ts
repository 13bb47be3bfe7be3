// The nginx secure_link signer against independent computations: openssl over the text nginx hashes, as the
// module's documentation shows it, and the real nginx answering 200 / 403 to links we sign and ones expired or broken.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { nginxSecureLinkScheme, nginxUri } from '../harness/signing/nginxSecureLink.js';
import type { SignRequest } from '../harness/signing/scheme.js';
import { freePorts } from '../lab/realEdges/freePorts.js';
import { realEdges } from '../lab/realEdges/index.js';
import { nginxConfig } from '../lab/realEdges/nginx.js';
import { SIGNED_ROUTE, type EdgeSetup } from '../lab/realEdges/realEdge.js';
import { supervise } from '../lab/realEdges/supervisor.js';
import { waitReady } from '../lab/realEdges/waitReady.js';
import { realEdgeInstalled } from './support/realEdgeInstalled.js';

const SECRET = 'lab-secret-3f9a';
const signer = (block: Record<string, unknown>) =>
  nginxSecureLinkScheme.create(nginxSecureLinkScheme.schema.parse({ scheme: 'nginx-secure-link', ...block }));

/** The pipeline of the module's documentation, the text on stdin where it has `echo -n '...'`. */
function opensslMd5(text: string | Buffer): string {
  return execFileSync('sh', ['-c', 'openssl md5 -binary | openssl base64 | tr +/ -_ | tr -d ='], { input: text })
    .toString()
    .trim();
}

/**
 * The secure_link lines of the lab's own nginx.conf (lab/realEdges/nginx.ts), for the secret given: the default
 * expression must be the lab's, and the real nginx below runs these very lines.
 */
function labSecureLinkLines(secret: string): string[] {
  const dir = '/lab';
  const setup = {
    dir: {
      dir,
      caFile: `${dir}/ca.pem`,
      edge: { 'edge.test': { certFile: `${dir}/edge.crt`, keyFile: `${dir}/edge.key`, pemFile: '' } },
      path: (...parts: string[]) => [dir, ...parts].join('/'),
    },
    origin: { httpUrl: 'http://127.0.0.1:1', secondaryHttpUrl: 'http://127.0.0.1:2', tlsPorts: {} },
    address: '127.0.0.1',
    ports: { http: 3, https: 4 },
    internalPorts: [],
    routes: { signed: SIGNED_ROUTE },
    hostnames: ['edge.test'],
    asRoot: false,
    faults: new Set<string>(),
  } as unknown as EdgeSetup;
  return nginxConfig(setup, secret)
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => /^(secure_link |secure_link_md5 |if \(\$secure_link )/.test(line));
}

t.test("the module documentation's example link", async (t) => {
  // nginx.org/en/docs/http/ngx_http_secure_link_module.html: "/s/link?md5=_e4Nc3iduzkWRm01TBBNYw&expires=2147483647
  // restricts access to /s/link for the client with the IP address 127.0.0.1", made with
  // echo -n '2147483647/s/link127.0.0.1 secret' | openssl md5 -binary | openssl base64 | tr +/ -_ | tr -d =
  t.equal(
    opensslMd5('2147483647/s/link127.0.0.1 secret'),
    '_e4Nc3iduzkWRm01TBBNYw',
    'the pipeline gives the documented hash',
  );
  const signed = signer({ secret: 'secret', expression: '$secure_link_expires$uri$remote_addr secret' }).sign({
    url: new URL('http://example.test/s/link'),
    expiresAt: new Date(2147483647 * 1000),
    ip: '127.0.0.1',
  });
  t.equal(signed.url.href, 'http://example.test/s/link?md5=_e4Nc3iduzkWRm01TBBNYw&expires=2147483647');
  t.equal(signed.cookies, undefined);
});

t.test('the default expression is the one the lab declares', async (t) => {
  const lines = labSecureLinkLines(SECRET);
  t.same(lines, [
    'secure_link $arg_md5,$arg_expires;',
    `secure_link_md5 "$secure_link_expires$uri ${SECRET}";`,
    'if ($secure_link = "") { return 403; }',
    'if ($secure_link = "0") { return 403; }',
  ]);
  const expression = /^secure_link_md5 "(.*)";$/.exec(lines[1]!)![1]!;
  const req = { url: new URL('https://edge.test/signed/a.txt'), expiresAt: new Date(1_800_000_000_000) };
  t.equal(signer({ secret: SECRET }).sign(req).url.href, signer({ secret: SECRET, expression }).sign(req).url.href);
});

interface Case {
  name: string;
  block?: Record<string, unknown>;
  url: string;
  ip?: string;
  /** what nginx hashes, by hand: expiry, $uri (decoded, merged, resolved), address, secret */
  hashed: string | Buffer;
  /** the query we expect before the hash and the expiry */
  keptQuery?: string;
  md5Param?: string;
  expiresParam?: string;
}
const EXPIRES = 1_900_000_000;
const cases: Case[] = [
  { name: 'the lab expression', url: 'https://e.test/signed/a.txt', hashed: `${EXPIRES}/signed/a.txt ${SECRET}` },
  {
    name: '$uri is decoded',
    url: 'https://e.test/signed/a%20b/%C3%A9t%C3%A9.txt',
    hashed: Buffer.concat([Buffer.from(`${EXPIRES}/signed/a b/`), Buffer.from('été.txt'), Buffer.from(` ${SECRET}`)]),
  },
  {
    name: '$uri has its slashes merged and an encoded ../ resolved',
    url: 'https://e.test/signed//x/..%2Fy/z.txt',
    hashed: `${EXPIRES}/signed/y/z.txt ${SECRET}`,
  },
  {
    name: '%3F, %23 and %25 stay the characters they encode',
    url: 'https://e.test/signed/q%3Fh%23p%25.txt',
    hashed: `${EXPIRES}/signed/q?h#p%.txt ${SECRET}`,
  },
  { name: 'a trailing slash is kept', url: 'https://e.test/signed/dir/', hashed: `${EXPIRES}/signed/dir/ ${SECRET}` },
  {
    name: 'the query the URL had stays, a stale signature goes',
    url: 'https://e.test/signed/a.txt?v=1&MD5=old&b=a%20b&expires=1',
    hashed: `${EXPIRES}/signed/a.txt ${SECRET}`,
    keptQuery: 'v=1&b=a%20b',
  },
  {
    name: 'an expression with the address, braces and other parameter names',
    block: {
      expression: `${SECRET}:\${uri}:$remote_addr:$secure_link_expires`,
      md5_param: 'st',
      expires_param: 'e',
    },
    url: 'https://e.test/media/v.mp4',
    ip: '2001:DB8:0:0:0:0:0:1',
    hashed: `${SECRET}:/media/v.mp4:2001:db8::1:${EXPIRES}`,
    md5Param: 'st',
    expiresParam: 'e',
  },
];

t.test('each hash is the one openssl computes over the text nginx hashes', async (t) => {
  for (const c of cases) {
    const req: SignRequest = { url: new URL(c.url), expiresAt: new Date(EXPIRES * 1000 + 999) };
    if (c.ip) req.ip = c.ip;
    const signed = signer({ secret: SECRET, ...c.block }).sign(req);
    const md5 = opensslMd5(c.hashed);
    const tail = `${c.md5Param ?? 'md5'}=${md5}&${c.expiresParam ?? 'expires'}=${EXPIRES}`;
    t.equal(signed.url.search, `?${c.keptQuery ? `${c.keptQuery}&` : ''}${tail}`, c.name);
    t.equal(signed.url.pathname, new URL(c.url).pathname, `${c.name}: the path is left as it was`);
  }
});

t.test('$uri as nginx builds it', async (t) => {
  const uri = (p: string) => nginxUri(p).toString('latin1');
  t.equal(uri('/'), '/');
  t.equal(uri('//'), '/');
  t.equal(uri('/a/.'), '/a/');
  t.equal(uri('/a/b/..'), '/a/');
  t.equal(uri('/a/%2e%2E/b'), '/b');
  t.equal(uri('/a/...b/c'), '/a/...b/c');
  t.throws(() => nginxUri('/a/%zz'), { code: 'E_UNMET_NEED' }, 'a bad escape is a 400 in nginx');
  t.throws(() => nginxUri('/a/%00'), { code: 'E_UNMET_NEED' }, 'an encoded NUL is a 400 in nginx');
  t.throws(() => nginxUri('/..%2F..'), { code: 'E_UNMET_NEED' }, 'climbing above / is a 400 in nginx');
});

t.test('what secure_link cannot express is refused, with the reason', async (t) => {
  const url = new URL('https://e.test/signed/a.txt');
  const expiresAt = new Date(EXPIRES * 1000);
  const lab = signer({ secret: SECRET });
  const withAddress = signer({ secret: SECRET, expression: `$secure_link_expires$uri$remote_addr ${SECRET}` });
  const refusals: Array<[string, () => unknown, RegExp]> = [
    ['a start time', () => lab.sign({ url, expiresAt, notBefore: new Date(0) }), /no start time/],
    ['cookies', () => lab.sign({ url, expiresAt, cookie: true }), /not from cookies/],
    ['an address without $remote_addr', () => lab.sign({ url, expiresAt, ip: '192.0.2.1' }), /no \$remote_addr/],
    ['$remote_addr without an address', () => withAddress.sign({ url, expiresAt }), /viewer address is needed/],
    ['a CIDR block', () => withAddress.sign({ url, expiresAt, ip: '192.0.2.0/24' }), /not one/],
    ['an expiry before 1970', () => lab.sign({ url, expiresAt: new Date(-5000) }), /after 1970/],
  ];
  for (const [what, sign, message] of refusals) t.throws(sign, { code: 'E_UNMET_NEED', message }, what);
});

t.test('the schema says what is wrong with an expression, without quoting it', async (t) => {
  const issues = (block: Record<string, unknown>) =>
    nginxSecureLinkScheme.schema
      .safeParse({ scheme: 'nginx-secure-link', secret: SECRET, ...block })
      .error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`) ?? [];
  t.same(issues({ expression: `$secure_link_expires$uri ${SECRET}` }), []);
  t.same(issues({ expression: `$host$uri$ ${SECRET}` }), [
    'expression: $host is not one a signer can fill in ($secure_link_expires, $uri, $remote_addr)',
    'expression: a "$" that starts no variable name (nginx would not start)',
  ]);
  t.same(issues({ expression: '$secure_link_expires$uri other' }), [
    'expression: the expression does not contain the secret',
  ]);
  t.same(issues({ md5_param: 'expires' }), ['expires_param: md5_param and expires_param must differ']);
  t.same(issues({ md5_param: 'a-b' }), ['md5_param: expected a query parameter name of [A-Za-z0-9_]']);
  t.notOk(nginxSecureLinkScheme.schema.safeParse({ scheme: 'nginx-secure-link', secret: SECRET, route: 'x' }).success);
  for (const message of issues({ expression: `$host ${SECRET}` })) t.notMatch(message, SECRET);
  t.throws(() => nginxSecureLinkScheme.create({ scheme: 'nginx-secure-link', secret: 'x', expression: '$host x' }), {
    code: 'E_CONFIG',
  });
});

t.test('the real nginx answers links we sign: 200 signed, 403 expired, 403 tampered', async (t) => {
  if (!realEdgeInstalled(t, realEdges.nginx)) return;
  const dir = mkdtempSync(join(tmpdir(), 'edgecheck-signing-nginx-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  for (const sub of ['temp', 'logs']) mkdirSync(join(dir, sub));
  const [port] = await freePorts(1);
  const addressExpression = `$secure_link_expires$uri$remote_addr ${SECRET}`;
  const conf = join(dir, 'nginx.conf');
  const tempPaths = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map(
    (m) => `  ${m}_temp_path ${join(dir, 'temp', m)};`,
  );
  writeFileSync(
    conf,
    `daemon off;
master_process off;
worker_processes 1;
pid ${join(dir, 'nginx.pid')};
events { worker_connections 64; }
http {
  access_log ${join(dir, 'logs', 'access.log')};
${tempPaths.join('\n')}
  server {
    listen 127.0.0.1:${port};
    # the lab's lines, as lab/realEdges/nginx.ts writes them
    location ${SIGNED_ROUTE.path} {
${labSecureLinkLines(SECRET)
  .map((line) => `      ${line}`)
  .join('\n')}
      return 200 "signed\\n";
    }
    location /by-address/ {
      secure_link $arg_md5,$arg_expires;
      secure_link_md5 "${addressExpression}";
      if ($secure_link = "") { return 403; }
      if ($secure_link = "0") { return 410; }
      return 200 "by address\\n";
    }
  }
}
`,
  );
  const server = supervise({
    name: 'nginx',
    command: '/usr/sbin/nginx',
    args: ['-p', dir, '-c', conf, '-e', 'stderr'],
    cwd: dir,
    logFile: join(dir, 'logs', 'nginx.out'),
  });
  t.teardown(() => server.stop());
  await waitReady({ ports: [port!], processes: [server], timeoutMs: 10_000 });

  const status = (url: URL) =>
    new Promise<number>((resolve, reject) => {
      http
        .get({ host: '127.0.0.1', port, path: `${url.pathname}${url.search}` }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        })
        .on('error', reject);
    });
  const lab = signer({ secret: SECRET });
  const byAddress = signer({ secret: SECRET, expression: addressExpression });
  const soon = new Date(Date.now() + 120_000);
  const past = new Date(Date.now() - 120_000);
  const at = (path: string) => new URL(`http://edge.test${path}`);

  const signed = lab.sign({ url: at('/signed/a.txt'), expiresAt: soon }).url;
  t.equal(await status(signed), 200, 'a link we sign');
  t.equal(await status(lab.sign({ url: at('/signed/a.txt'), expiresAt: past }).url), 403, 'an expired link');
  const otherPath = new URL(signed.href);
  otherPath.pathname = '/signed/b.txt';
  t.equal(await status(otherPath), 403, 'the signature of one path on another');
  const laterExpiry = new URL(signed.href);
  laterExpiry.searchParams.set('expires', String(Math.floor(soon.getTime() / 1000) + 3600));
  t.equal(await status(laterExpiry), 403, 'a later expiry than the one signed');
  t.equal(await status(signer({ secret: 'not-the-secret' }).sign({ url: signed, expiresAt: soon }).url), 403);

  for (const path of ['/signed/a%20b/%C3%A9.txt', '/signed//x/..%2Fy/z.txt', '/signed/q%3Fh%25.txt', '/signed/d/']) {
    const url = lab.sign({ url: at(`${path}?v=1`), expiresAt: soon }).url;
    t.equal(await status(url), 200, `$uri of ${path}`);
  }

  const mine = byAddress.sign({ url: at('/by-address/a.txt'), expiresAt: soon, ip: '127.0.0.1' }).url;
  t.equal(await status(mine), 200, 'signed for the address the request comes from');
  const theirs = byAddress.sign({ url: at('/by-address/a.txt'), expiresAt: soon, ip: '127.0.0.2' }).url;
  t.equal(await status(theirs), 403, 'signed for another address');
});
