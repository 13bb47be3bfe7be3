// Secrets (every value from ${env:} or ${file:}) are redacted from what a
// report holds before it is serialised, in every form a URL may carry them,
// and numbers that merely contain a secret's digits are left alone.
import t from 'tap';
import { redact, redactDeep, registerSecret } from '../harness/secrets.js';
import { labEdges } from '../lab/labs.js';

registerSecret('8080');
registerSecret('tok en/with+chars&"');

t.test('strings are redacted, numbers and structure are kept', async (t) => {
  const record = { duration_ms: 18080, target: { url: 'https://h:8080/' }, list: ['a 8080 b', 80801], none: null };
  t.same(redactDeep(record), {
    duration_ms: 18080,
    target: { url: 'https://h:[redacted]/' },
    list: ['a [redacted] b', 80801],
    none: null,
  });
  t.equal(record.target.url, 'https://h:8080/', 'the original is untouched');
});

t.test('a secret is found however a URL encoded it', async (t) => {
  const secret = 'tok en/with+chars&"';
  const path = new URL(`https://h/${secret}`).href;
  const query = new URL(`https://h/?q=${encodeURIComponent(secret)}`).href;
  const form = `https://h/?${new URLSearchParams({ q: secret })}`;
  for (const url of [path, query, form]) t.notMatch(redact(url), /tok/, url);
});

t.test('${file:} reads a token without the line break the file ends with', async (t) => {
  const { mkdtempSync, writeFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { loadTargets } = await import('../harness/config/load.js');
  const dir = mkdtempSync(join(tmpdir(), 'edgecheck-file-'));
  writeFileSync(join(dir, 'token'), 'tok-from-file\n');
  writeFileSync(
    join(dir, 'targets.yaml'),
    'targets:\n  s:\n    url: https://x.example.com\n    origin: { control: "https://o.example.com", token: "${file:./token}" }\n',
  );
  const loaded = loadTargets(join(dir, 'targets.yaml'), labEdges);
  t.equal(loaded.targets['s']?.origin?.token, 'tok-from-file');
  t.equal(redact('Bearer tok-from-file'), 'Bearer [redacted]');
});

t.test('a secret with a ? or # never makes a fragment of it a secret', async (t) => {
  registerSecret('#Summer2024');
  registerSecret('ab#Zx9kQ2');
  registerSecret('?query-like');
  t.equal(redact('GET /api/table'), 'GET /api/table', 'ordinary text is left alone');
  t.equal(redact('pw=#Summer2024'), 'pw=[redacted]');
  t.equal(redact('ab#Zx9kQ2 and ?query-like'), '[redacted] and [redacted]');
});
