// `edgecheck origin`: the standalone probe origin a user deploys behind a CDN.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import t from 'tap';
import { request } from 'undici';
import { OriginControl } from '../harness/origin/originControl.js';
import { binPath, edgecheck } from './support/cli.js';

t.test('refuses to start without its token, naming the variable', async (t) => {
  const res = edgecheck(['origin', '--port', '0'], { env: { EDGECHECK_ORIGIN_TOKEN: '' } });
  t.equal(res.status, 2);
  t.match(res.stderr, /environment variable EDGECHECK_ORIGIN_TOKEN is not set/);
  const half = edgecheck(['origin', '--port', '0', '--control-cert', 'control.pem'], {
    env: { EDGECHECK_ORIGIN_TOKEN: 'a-token-1234' },
  });
  t.equal(half.status, 2, 'a certificate without its key does not fall back to plain HTTP');
  t.match(half.stderr, /--control-cert and --control-key go together/);
});

t.test('serves, logs and is programmed through its control channel; Ctrl-C stops it', async (t) => {
  const token = 'standalone-token-42';
  const child = spawn(
    process.execPath,
    [binPath, 'origin', '--port', '0', '--secondary-port', '0', '--control-port', '0', '--lab-tls', '0'],
    {
      env: { ...process.env, EDGECHECK_ORIGIN_TOKEN: token },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  while (!out.includes('Ctrl-C stops it.')) await once(child.stdout, 'data');
  t.notMatch(out, new RegExp(token), 'the token is never printed');
  const originUrl = /origin +(http:\/\/\S+)/.exec(out)![1]!;
  const controlUrl = /control +(http:\/\/\S+)/.exec(out)![1]!;
  t.match(out, /https expired +https:\/\/127\.0\.0\.1:\d+/, 'a TLS listener per certificate fault');

  const control = new OriginControl(controlUrl, token);
  t.teardown(() => control.close());
  const key = '/.edgecheck/r1/s.c/';
  await control.setObject(key, { headers: { 'Cache-Control': 'max-age=60' }, body: 'deployed' });
  const res = await request(`${originUrl}${key}`);
  t.equal(await res.body.text(), 'deployed');
  t.equal((await control.log(key)).length, 1);

  child.kill('SIGINT');
  const [code] = await once(child, 'exit');
  t.equal(code, 0);
});
