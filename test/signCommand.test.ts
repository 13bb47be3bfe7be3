// `edgecheck sign` as a user runs it: a CloudFront target's signed URL and
// cookies, the same bytes @aws-sdk/cloudfront-signer makes for that expiry,
// the key never printed, and bad input a clear exit 2.
import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { getSignedUrl } from '@aws-sdk/cloudfront-signer';
import t from 'tap';
import { edgecheck } from './support/cli.js';
import { targetsFile } from './support/labRun.js';

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const pem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
const file = targetsFile(
  [
    'targets:',
    '  cdn:',
    '    url: https://d111111abcdef8.cloudfront.net',
    '    routes: { private: /private/ }',
    '    signing: { scheme: cloudfront, key_pair_id: K2JCJMDEHXQW5F, private_key: "${file:cf.pem}" }',
  ].join('\n'),
);
writeFileSync(join(dirname(file), 'cf.pem'), pem);
const keyBody = pem.split('\n')[1]!;

t.test('a signed URL: the SDK makes the same bytes for the expiry edgecheck chose', async (t) => {
  const res = edgecheck(['sign', '--targets', file, '--route', 'private', '--expires', '10m', '/report.pdf']);
  t.equal(res.status, 0, res.stderr);
  const signed = new URL(res.stdout.trim());
  t.equal(signed.origin + signed.pathname, 'https://d111111abcdef8.cloudfront.net/private/report.pdf');
  const expires = Number(signed.searchParams.get('Expires'));
  t.ok(Math.abs(expires - (Date.now() / 1000 + 600)) < 30, 'expires in about ten minutes');
  const oracle = getSignedUrl({
    url: 'https://d111111abcdef8.cloudfront.net/private/report.pdf',
    keyPairId: 'K2JCJMDEHXQW5F',
    privateKey: pem,
    dateLessThan: new Date(expires * 1000).toISOString(),
  });
  t.equal(res.stdout.trim(), oracle);
  t.notMatch(res.stdout + res.stderr, keyBody, 'the private key is never printed');
});

t.test('signed cookies, and a custom policy for an address', async (t) => {
  const res = edgecheck(['sign', '--targets', file, '--cookie', '--ip', '192.0.2.0/24', '/private/*']);
  t.equal(res.status, 0, res.stderr);
  const [cookie, url] = res.stdout.trim().split('\n');
  t.match(cookie, /^Cookie: /);
  const jar = Object.fromEntries(
    cookie!
      .slice('Cookie: '.length)
      .split('; ')
      .map((c) => c.split('=', 2) as [string, string]),
  );
  t.same(Object.keys(jar).sort(), ['CloudFront-Key-Pair-Id', 'CloudFront-Policy', 'CloudFront-Signature']);
  t.equal(jar['CloudFront-Key-Pair-Id'], 'K2JCJMDEHXQW5F');
  t.equal(url, 'https://d111111abcdef8.cloudfront.net/private/*');
  const policy = jar['CloudFront-Policy']!;
  const json = Buffer.from(policy.replaceAll('-', '+').replaceAll('_', '=').replaceAll('~', '/'), 'base64').toString();
  t.match(JSON.parse(json), { Statement: [{ Condition: { IpAddress: { 'AWS:SourceIp': '192.0.2.0/24' } } }] });
});

t.test('bad input: exit 2 with what was expected, no stack', async (t) => {
  for (const [args, message] of [
    [['sign', '--targets', file, 'relative'], /expected one PATH starting with \//],
    [['sign', '--targets', file, '--expires', '5 minutes', '/x'], /--expires: expected a duration/],
    [['sign', '--targets', file, '--route', 'nope', '/x'], /declares no such route/],
  ] as const) {
    const res = edgecheck([...args]);
    t.equal(res.status, 2, args.join(' '));
    t.match(res.stderr, message);
    t.notMatch(res.stderr, /at .*\.js:\d+/, 'no stack trace');
  }
  const noSigning = targetsFile('targets:\n  plain: { url: "https://cdn.example.test" }\n');
  const res = edgecheck(['sign', '--targets', noSigning, '/x']);
  t.equal(res.status, 2);
  t.match(res.stderr, /target 'plain' declares no signing: block/);
});
