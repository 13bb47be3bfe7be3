// `edgecheck validate` through the built CLI: good files get a line each and
// exit 0; bad ones get the same file:line:col errors `run` and `surge` print
// and exit 2; and nothing reaches the network — a tripwire loaded before the
// CLI ends the process on any DNS lookup, connection, listener or child process.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import t from 'tap';
import { edgecheck } from './support/cli.js';

const tripwire = resolve(import.meta.dirname, 'support', 'tripwire.mjs');
const TRIPPED = 99;
const badConfig = join(import.meta.dirname, 'fixtures', 'bad-config');
const suitesDir = resolve(import.meta.dirname, '..', 'suites');

/** The built CLI in `cwd`, with the tripwire armed. */
function offline(args: string[], cwd: string) {
  return edgecheck(args, { cwd, env: { NODE_OPTIONS: `--import=${tripwire}`, EDGECHECK_DEBUG: '' } });
}

const dir = mkdtempSync(join(tmpdir(), 'edgecheck-validate-'));
// `.invalid` never resolves (RFC 6761): opening this target would fail at its DNS lookup
writeFileSync(
  join(dir, 'targets.yaml'),
  `default: staging
targets:
  staging:
    url: https://cdn.staging.does-not-resolve.invalid
    edges: dns
    origin: { control: "https://origin.does-not-resolve.invalid:9443", token: secret-token }
    routes:
      ttl-default: { path: /static/, ttl: { min: 0, default: 60, max: 3600 } }
  lab:
    lab: reference
    surge: { allowed: true, max_rps: 200, max_duration: 1m }
`,
);
writeFileSync(
  join(dir, 'small.yaml'),
  `suite: small
title: a small suite
checks:
  - id: one
    title: one request
    steps:
      - get: /
        route: ttl-default
        expect: { status: 200 }
`,
);

t.test('a good set of files: one line each, exit 0, and no DNS, connection or lab', async (t) => {
  const res = offline(['validate', '--suites-dir', suitesDir], dir);
  t.equal(res.stderr, '', 'nothing on stderr (the tripwire would say what it caught)');
  t.equal(res.status, 0, 'exit 0');
  const lines = res.stdout.trimEnd().split('\n');
  t.equal(lines[0], 'targets.yaml: ok, 2 targets (staging, lab), default staging');
  const suites = readdirSync(suitesDir).filter((f) => f.endsWith('.yaml'));
  t.equal(lines.length, 1 + suites.length, 'a line for the targets file and one per file in suites/');
  t.match(res.stdout, /suites\/caching\.yaml: ok, suite caching, \d+ checks/);
  t.match(res.stdout, /suites\/surge\.yaml: ok, surge plan launch-day, \d+ phases, \d+s, peak 1400/);
});

t.test('named suites and plans: only those, with the plans held to a target', async (t) => {
  const res = offline(
    ['validate', '--suite', 'small.yaml', '--plan', 'smoke', '--suites-dir', suitesDir, '--target', 'lab'],
    dir,
  );
  t.equal(res.status, 0, res.stderr);
  t.same(res.stdout.trimEnd().split('\n').slice(1), [
    'small.yaml: ok, suite small, 1 check',
    `${relative(dir, join(suitesDir, 'surge-smoke.yaml'))}: ok, surge plan smoke, 4 phases, 5s, peak 150, ` +
      "within target lab's surge limits",
  ]);
});

t.test('the tripwire catches what run and a lab would do with the same files', async (t) => {
  const dnsRun = offline(['run', '--target', 'staging', '--suite', 'small.yaml', '--reporter', 'json'], dir);
  t.equal(dnsRun.status, TRIPPED, 'run against a url target with edges: dns looks the name up');
  t.match(dnsRun.stderr, /tripwire: dns/);
  const labRun = offline(['run', '--target', 'lab', '--suite', 'small.yaml', '--reporter', 'json'], dir);
  t.equal(labRun.status, TRIPPED, 'run against a lab target starts it');
  t.match(labRun.stderr, /tripwire: net\.Server\.listen/);
});

t.test('bad files: every one reported as file:line:col, the good ones still listed, exit 2', async (t) => {
  const res = offline(
    [
      'validate',
      '--targets',
      'targets-unknown-key.yaml',
      '--suite',
      'suite-duplicate-id.yaml,ok-suite.yaml',
      '--plan',
      'plan-phase-kind.yaml',
    ],
    badConfig,
  );
  t.equal(res.status, 2);
  for (const file of ['targets-unknown-key', 'suite-duplicate-id', 'plan-phase-kind']) {
    const golden = readFileSync(join(badConfig, `${file}.err`), 'utf8');
    t.ok(res.stderr.includes(golden), `${file}.yaml: the errors run and surge print (${file}.err)`);
  }
  t.equal(res.stdout, 'ok-suite.yaml: ok, suite s, 1 check\n', 'the good file is listed');
  t.match(res.stderr, /edgecheck: 3 of 4 files are not valid\n$/);
});

t.test('a plan over the named target surge limits is bad, as surge would say', async (t) => {
  const res = offline(
    ['validate', '--targets', 'ok-targets.yaml', '--plan', 'plan-duration-above-limit.yaml', '--target', 'lab'],
    badConfig,
  );
  t.equal(res.status, 2);
  t.ok(res.stderr.includes(readFileSync(join(badConfig, 'plan-duration-above-limit.err'), 'utf8')));
});

t.test('a suite name that is no file in suites/ is reported, and the rest still checked', async (t) => {
  const res = offline(['validate', '--suite', 'cachng', '--suites-dir', suitesDir], dir);
  t.equal(res.status, 2);
  t.match(res.stderr, /--suite cachng: no such suite in .*\(did you mean 'caching'\?\)/);
  t.match(res.stdout, /^targets\.yaml: ok/);
});
