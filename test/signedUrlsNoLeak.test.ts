// No private key, signature, policy or token reaches a report, stdout or stderr:
// the signed-urls suite run through the CLI as a user runs it, every reporter on,
// with a fault so failing checks print their requests.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import t from 'tap';
import { edgecheck } from './support/cli.js';

const suitesDir = resolve(import.meta.dirname, '..', 'suites');

t.test('signed-urls: nothing secret in any output', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'edgecheck-noleak-'));
  writeFileSync(
    join(dir, 'targets.yaml'),
    'targets:\n  lab:\n    lab: reference\n    faults: [signed-skips-signature]\n',
  );
  const out = join(dir, 'out');
  const res = edgecheck(
    [
      'run',
      '--target',
      'lab',
      '--suite',
      'signed-urls',
      '--suites-dir',
      suitesDir,
      '--reporter',
      'list,json,junit,tap',
      '--out',
      out,
    ],
    { cwd: dir },
  );
  t.equal(res.status, 1, 'the fault fails checks, so the run exits 1');
  t.match(res.stdout, /tampered-signature-refused/, 'the failing check is reported');
  t.match(res.stdout, /Signature=\[redacted\]/, 'its request is shown, the signature redacted');
  const files = readdirSync(out).map((f) => join(out, f));
  t.ok(files.length >= 3, `reports written: ${files.join(', ')}`);
  const outputs: Array<[string, string]> = [
    ['stdout', res.stdout],
    ['stderr', res.stderr],
    ...files.map((f): [string, string] => [f, readFileSync(f, 'utf8')]),
  ];
  for (const [name, text] of outputs) {
    t.notMatch(text, /PRIVATE KEY/, `${name}: no private key`);
    t.notMatch(
      text,
      /(?:^|[?&;\s"])(?:CloudFront-)?(?:Signature|Policy)=(?!\[redacted\])[^&;\s"]/m,
      `${name}: no signature`,
    );
  }
});
