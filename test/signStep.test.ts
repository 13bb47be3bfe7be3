// The request step's `sign:` option: instants counted past the target's clock skew, each part broken or left out
// where it travels (query or cookie), kept signatures reused, and no signature left readable in a record.
import { generateKeyPairSync } from 'node:crypto';
import t from 'tap';
import { redact } from '../harness/secrets.js';
import { openSigning } from '../harness/signing/index.js';
import { pastExpiryMs, signStepUrl, signUnmet } from '../harness/steps/signOption.js';
import type { CheckState } from '../harness/steps/stepKind.js';

const pem = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' });
const cloudfront = openSigning({
  scheme: 'cloudfront',
  key_pair_id: 'K2JCJMDEHXQW5F',
  private_key: pem.toString(),
  clock_skew: '2s',
});
const nginx = openSigning({ scheme: 'nginx-secure-link', secret: 'lab-secret-1234' });
const url = new URL('https://lab.edgecheck.test/signed/a.txt?x=1');
const NOW = Date.UTC(2026, 11, 1, 12, 0, 0);

t.test('instants: a past expiry and a future start are counted past the clock skew', async (t) => {
  const state: CheckState = {};
  const past = signStepUrl({ expires: '-5s' }, url, cloudfront, state, NOW);
  t.equal(past.record.expires_at, new Date(NOW - 7000).toISOString(), 'expired 5 s before now, minus 2 s of skew');
  t.equal(past.signed.url.searchParams.get('Expires'), String((NOW - 7000) / 1000), 'a canned policy carries it');
  const later = signStepUrl({ not_before: '+1m', expires: '5m' }, url, cloudfront, state, NOW);
  t.equal(later.record.not_before, new Date(NOW + 62_000).toISOString(), 'starts a minute from now, plus the skew');
  t.ok(later.signed.url.searchParams.has('Policy'), 'a start time makes it a custom policy');
  const plain = signStepUrl(true, url, cloudfront, state, NOW);
  t.equal(plain.record.expires_at, new Date(NOW + 300_000).toISOString(), '`sign: true` is valid for five minutes');
  t.equal(plain.signed.url.searchParams.get('x'), '1', "the URL's own query stays");
});

t.test('tamper and omit change only the part they name, in the query or in the cookies', async (t) => {
  const state: CheckState = {};
  const good = signStepUrl({ expires: '1m' }, url, cloudfront, state, NOW).signed;
  const bad = signStepUrl({ expires: '1m', tamper: 'signature' }, url, cloudfront, state, NOW).signed;
  t.not(bad.url.searchParams.get('Signature'), good.url.searchParams.get('Signature'), 'the signature differs');
  t.equal(bad.url.searchParams.get('Signature')?.length, good.url.searchParams.get('Signature')?.length, 'same length');
  t.equal(bad.url.searchParams.get('Expires'), good.url.searchParams.get('Expires'), 'the rest is the same');
  const later = signStepUrl({ expires: '1m', tamper: 'expires' }, url, cloudfront, state, NOW).signed;
  t.equal(Number(later.url.searchParams.get('Expires')), NOW / 1000 + 60 + 3600, 'the expiry moved an hour later');
  const noKey = signStepUrl({ omit: 'key-pair-id' }, url, cloudfront, state, NOW).signed;
  t.notOk(noKey.url.searchParams.has('Key-Pair-Id'), 'the key id left out');
  t.ok(noKey.url.searchParams.has('Signature'), 'the signature stays');
  const cookies = signStepUrl({ cookie: true, omit: 'key-pair-id' }, url, cloudfront, state, NOW).signed;
  t.same(Object.keys(cookies.cookies ?? {}).sort(), ['CloudFront-Expires', 'CloudFront-Signature'], 'from cookies');
  t.equal(cookies.url.search, '?x=1', 'cookies leave the URL alone');
  const broken = signStepUrl({ cookie: true, tamper: 'signature' }, url, cloudfront, state, NOW).signed;
  const fresh = signStepUrl({ cookie: true }, url, cloudfront, state, NOW).signed;
  t.not(broken.cookies?.['CloudFront-Signature'], fresh.cookies?.['CloudFront-Signature'], 'a cookie tampered');
});

t.test('an unknown key is another key under another id', async (t) => {
  const state: CheckState = {};
  const known = signStepUrl({ expires: '1m' }, url, cloudfront, state, NOW).signed;
  const unknown = signStepUrl({ expires: '1m', key: 'unknown' }, url, cloudfront, state, NOW);
  t.match(unknown.signed.url.searchParams.get('Key-Pair-Id'), /^KUNKNOWN[0-9A-F]{10}$/, 'an id no key group holds');
  t.not(unknown.signed.url.searchParams.get('Signature'), known.url.searchParams.get('Signature'), 'another key');
  t.equal(unknown.record.key, 'unknown', 'the record says how it was signed');
});

t.test('a kept signature is reused unchanged, and says when it is surely refused', async (t) => {
  const state: CheckState = {};
  const first = signStepUrl({ expires: '3s', as: 'short' }, url, cloudfront, state, NOW);
  const again = signStepUrl({ reuse: 'short' }, url, cloudfront, state, NOW + 10_000);
  t.equal(again.signed.url.href, first.signed.url.href, 'the same URL');
  t.same(again.record, { ...first.record, reuse: 'short' }, 'the record names the one it reuses');
  const kept = state.signatures?.get('short');
  t.ok(kept);
  t.equal(pastExpiryMs(kept!, cloudfront, NOW), 3000 + 2000 + 1000, 'expiry + skew + the second it was rounded to');
  t.throws(() => signStepUrl({ reuse: 'other' }, url, cloudfront, state, NOW), { code: 'E_UNMET_NEED' });
});

t.test('no signature, policy or tampered value is readable once redacted', async (t) => {
  const state: CheckState = {};
  for (const option of [{ not_before: '-1m' }, { tamper: 'signature' as const }, { cookie: true }]) {
    const { signed } = signStepUrl(option, url, cloudfront, state, NOW);
    const values = [
      signed.url.searchParams.get('Signature'),
      signed.url.searchParams.get('Policy'),
      ...Object.values(signed.cookies ?? {}).filter((v) => v.length > 20),
    ].filter((v): v is string => v !== null);
    t.ok(values.length > 0, `${JSON.stringify(option)} has values to hide`);
    for (const v of values) t.notOk(redact(`url ${signed.url.href} cookie ${v}`).includes(v), 'redacted');
  }
});

t.test('what a scheme cannot express is a reason to skip, before anything is sent', async (t) => {
  t.equal(signUnmet({ not_before: '+1m' }, nginx), 'the nginx-secure-link scheme has no start time');
  t.equal(signUnmet({ cookie: true }, nginx), 'the nginx-secure-link scheme has no signed cookies');
  t.equal(signUnmet({ omit: 'key-pair-id' }, nginx), 'the nginx-secure-link scheme carries no separate key-pair-id');
  t.equal(signUnmet({ tamper: 'policy' }, nginx), 'the nginx-secure-link scheme carries no separate policy');
  t.equal(signUnmet({ tamper: 'expires' }, nginx), undefined, 'nginx carries its expiry in its own parameter');
  t.equal(signUnmet({ not_before: '+1m', cookie: true, omit: 'key-pair-id' }, cloudfront), undefined);
  t.equal(signUnmet({ tamper: 'policy' }, cloudfront), undefined);
});
