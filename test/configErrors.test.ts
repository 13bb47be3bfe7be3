// Bad targets files and suites: exit 2, file:line:col, the line with a caret
// and its label, what is allowed — in our words, not zod's — and never a stack trace.
// main() runs in this process (test/cli.test.ts runs the built CLI itself).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { edgecheckIn } from './support/cliInProcess.js';

const dir = mkdtempSync(join(tmpdir(), 'edgecheck-config-'));
const write = (name: string, text: string) => (writeFileSync(join(dir, name), text), name);
// by its path: main() runs from source here, where a suite's bare name is looked up beside dist/
const cachingSuite = join(import.meta.dirname, '..', 'suites', 'caching.yaml');
const goodTargets = write('good-targets.yaml', 'targets:\n  lab:\n    lab: reference\n');

/** A suite file's start, up to the first check's title. */
const check = 'suite: s\ntitle: S\nchecks:\n  - id: a\n    title: A\n';

interface Case {
  name: string;
  file: string;
  kind: 'targets' | 'suite';
  /** the first line of stderr, exactly */
  first: string;
  /** the words after the caret */
  label: string;
  allowed?: string;
}

const cases: Case[] = [
  {
    name: 'an invalidation provider misspelt: every provider is offered',
    kind: 'targets',
    file: write(
      't-provider.yaml',
      'targets:\n  s:\n    url: https://cdn.example.test\n    invalidation: { provider: cloudfrnt }\n',
    ),
    first:
      't-provider.yaml:4:31: error: targets.s.invalidation.provider: ' +
      `"cloudfrnt" is not allowed (did you mean 'cloudfront'?)`,
    label: "did you mean 'cloudfront'?",
    allowed: 'lab, http, command, cloudfront, akamai, fastly, cloudflare',
  },
  {
    name: "a key misspelt in a provider's block is judged against that provider's keys",
    kind: 'targets',
    file: write(
      't-provider-key.yaml',
      'targets:\n  s:\n    url: https://cdn.example.test\n    invalidation: { provider: cloudfront, distributon: E1 }\n',
    ),
    first: "t-provider-key.yaml:4:19: error: missing required key 'distribution' (a string)",
    label: "this mapping needs 'distribution'",
  },
  {
    name: 'a signing block without its scheme',
    kind: 'targets',
    file: write(
      't-scheme.yaml',
      'targets:\n  s:\n    url: https://cdn.example.test\n    signing: { key_pair_id: K1 }\n',
    ),
    first: "t-scheme.yaml:4:14: error: missing required key 'scheme'",
    label: 'add scheme',
    allowed: 'cloudfront, nginx-secure-link, trafficserver-url-sig, akamai-edgeauth',
  },
  {
    name: 'unknown key with a suggestion',
    kind: 'targets',
    file: write('t-unknown-key.yaml', 'targets:\n  lab:\n    lab: reference\n    cache_stauts: nginx\n'),
    first: "t-unknown-key.yaml:4:5: error: targets.lab: unknown key 'cache_stauts' (did you mean 'cache_status'?)",
    label: "did you mean 'cache_status'?",
    allowed: 'cache_status',
  },
  {
    name: 'value outside an enum',
    kind: 'targets',
    file: write('t-enum.yaml', 'targets:\n  lab:\n    lab: ngnix\n'),
    first: `t-enum.yaml:3:10: error: targets.lab.lab: "ngnix" is not allowed (did you mean 'nginx'?)`,
    label: "did you mean 'nginx'?",
    allowed: 'reference, nginx, varnish, trafficserver, squid',
  },
  {
    name: 'a parent tier behind a lab that runs as one tier: the two-tier labs are named',
    kind: 'targets',
    file: write('t-parent.yaml', 'targets:\n  s:\n    lab: nginx\n    parent: varnish\n'),
    first:
      't-parent.yaml:4:13: error: targets.s.parent: the nginx lab runs as a single tier only: ' +
      'a parent tier runs behind lab: varnish (parent: varnish)',
    label: 'the nginx lab runs as a single tier only',
  },
  {
    name: 'a parent tier on a url target',
    kind: 'targets',
    file: write('t-parent-url.yaml', 'targets:\n  s:\n    url: https://cdn.example.test\n    parent: varnish\n'),
    first:
      't-parent-url.yaml:4:13: error: targets.s.parent: `parent` needs `lab`: ' +
      'a parent tier runs behind lab: varnish (parent: varnish)',
    label: '`parent` needs `lab`',
  },
  {
    name: 'a program that cannot run as a parent tier',
    kind: 'targets',
    file: write('t-parent-program.yaml', 'targets:\n  s:\n    lab: varnish\n    parent: squid\n'),
    first: 't-parent-program.yaml:4:13: error: targets.s.parent: "squid" is not allowed',
    label: 'not an allowed value',
    allowed: 'varnish',
  },
  {
    name: 'an empty ALPN protocol name (Node would abort on it)',
    kind: 'targets',
    file: write('t-alpn.yaml', 'targets:\n  lab:\n    lab: reference\n    tls: { alpn: [h2, ""] }\n'),
    first: 't-alpn.yaml:4:23: error: targets.lab.tls.alpn[1]: an empty string is not allowed here',
    label: 'expected at least one character',
  },
  {
    name: 'missing environment variable',
    kind: 'targets',
    file: write(
      't-env.yaml',
      'targets:\n  staging:\n    url: https://cdn.example.com\n    origin:\n' +
        '      control: https://o.example.com\n      token: ${env:EDGECHECK_TEST_NOPE}\n',
    ),
    first: 't-env.yaml:6:14: error: environment variable EDGECHECK_TEST_NOPE is not set',
    label: 'EDGECHECK_TEST_NOPE is not set',
  },
  {
    name: 'YAML syntax error',
    kind: 'targets',
    file: write('t-syntax.yaml', 'targets:\n  a:\n    lab: reference\n   b: 1\n'),
    first: 't-syntax.yaml:4:1: error: invalid YAML: All mapping items must start at the same column',
    label: 'the YAML parser stopped here',
  },
  {
    name: 'both lab and url',
    kind: 'targets',
    file: write('t-both.yaml', 'targets:\n  a:\n    lab: reference\n    url: https://x.example.com\n'),
    first:
      't-both.yaml:3:5: error: targets.a: a target needs exactly one of `lab` or `url`: ' +
      '`lab` names an embedded edge, `url` an endpoint to test',
    label: 'a target needs exactly one of `lab` or `url`',
  },
  {
    name: 'missing file reference',
    kind: 'targets',
    file: write(
      't-file.yaml',
      'targets:\n  s:\n    url: https://x.example.com\n    tls: { ca: "${file:./nope.pem}" }\n',
    ),
    first: `t-file.yaml:4:16: error: file ./nope.pem cannot be read (looked for ${join(dir, 'nope.pem')})`,
    label: 'no such file, or not readable',
  },
  {
    name: 'unknown step kind',
    kind: 'suite',
    file: write('s-kind.yaml', `${check}    steps:\n      - gett: /\n`),
    first: "s-kind.yaml:7:9: error: checks[0].steps[0]: unknown key 'gett' (did you mean 'get'?)",
    label: "did you mean 'get'?",
    allowed: 'get, head, post, request, sleep, origin',
  },
  {
    name: 'bad status',
    kind: 'suite',
    file: write('s-status.yaml', `${check}    steps:\n      - get: /\n        expect: { status: abc }\n`),
    first: 's-status.yaml:8:27: error: checks[0].steps[0].expect.status: expected a status class such as 2xx',
    label: 'expected a status class such as 2xx',
  },
  {
    name: 'missing steps',
    kind: 'suite',
    file: write('s-missing.yaml', check),
    first: "s-missing.yaml:4:5: error: missing required key 'steps' (a list)",
    label: "this mapping needs 'steps'",
  },
  {
    name: 'duplicate check id',
    kind: 'suite',
    file: write(
      's-dup.yaml',
      `${check}    steps: [{ sleep: 1s }]\n  - id: a\n    title: B\n    steps: [{ sleep: 1s }]\n`,
    ),
    first:
      "s-dup.yaml:7:9: error: checks[1].id: 'a' is already the id of checks[0]; ids name the check's URL " +
      'path and must be unique',
    label: 'already the id of checks[0]',
  },
  {
    name: 'bad duration',
    kind: 'suite',
    file: write('s-duration.yaml', `${check}    steps:\n      - sleep: 2 seconds\n`),
    first:
      's-duration.yaml:7:16: error: checks[0].steps[0].sleep: expected a duration such as 500ms, 2s, 5m, ' +
      '1h, 1d, or a number of seconds',
    label: 'expected a duration such as 500ms',
  },
  {
    name: 'a stray key on a sleep step is read as a sleep step',
    kind: 'suite',
    file: write('s-sleep-expect.yaml', `${check}    steps:\n      - sleep: 2s\n        expect: { status: 200 }\n`),
    first: "s-sleep-expect.yaml:8:9: error: checks[0].steps[0]: unknown key 'expect'",
    label: 'unknown key',
    allowed: 'sleep',
  },
  {
    name: 'an alias to no anchor',
    kind: 'suite',
    file: write('s-alias.yaml', 'suite: s\ntitle: *nope\nchecks: []\n'),
    first: 's-alias.yaml:2:8: error: invalid YAML: Unresolved alias (the anchor must be set before the alias): nope',
    label: 'no anchor of this name before here',
  },
  {
    name: 'a pattern that does not compile',
    kind: 'suite',
    file: write(
      's-regex.yaml',
      `${check}    steps:\n      - get: /\n        expect: { headers: { age: { matches: "(" } } }\n`,
    ),
    first: 's-regex.yaml:8:46: error: checks[0].steps[0].expect.headers.age.matches: not a valid regular expression',
    label: 'not a valid regular expression',
  },
  {
    name: 'a matcher with no test',
    kind: 'suite',
    file: write(
      's-empty-matcher.yaml',
      `${check}    steps:\n      - get: /\n        expect: { headers: { age: {} } }\n`,
    ),
    first:
      's-empty-matcher.yaml:8:35: error: checks[0].steps[0].expect.headers.age: a matcher needs a test: ' +
      'equals, matches, contains, absent, present, gte or lte',
    label: 'a matcher needs a test',
  },
  {
    name: 'a line break in a header value',
    kind: 'suite',
    file: write('s-header.yaml', `${check}    object: { headers: { X-Bad: "a\\nb" } }\n    steps:\n      - get: /\n`),
    first: 's-header.yaml:6:33: error: checks[0].object.headers.X-Bad: a header value cannot hold a line break',
    label: 'a header value cannot hold a line break',
  },
  {
    name: 'a query in the path',
    kind: 'suite',
    file: write('s-query.yaml', `${check}    steps:\n      - get: /page?v=1\n`),
    first:
      's-query.yaml:7:14: error: checks[0].steps[0].get: a ? in the path would be sent encoded: put the ' +
      'query in `query:`',
    label: 'a ? in the path would be sent encoded',
  },
  {
    name: 'misspelled served_by value',
    kind: 'suite',
    file: write('s-served.yaml', `${check}    steps:\n      - get: /\n        expect: { served_by: cahce }\n`),
    first:
      `s-served.yaml:8:30: error: checks[0].steps[0].expect.served_by: "cahce" is not allowed (did you ` +
      `mean 'cache'?)`,
    label: "did you mean 'cache'?",
    allowed: 'cache, origin',
  },
];

/** What zod would have said in its own words, and what we say instead. */
const wordings: Case[] = [
  {
    name: 'an empty list where an entry is needed',
    kind: 'suite',
    file: write('w-empty-list.yaml', `${check}    steps:\n      - tls: { alpn: [] }\n`),
    first: 'w-empty-list.yaml:7:22: error: checks[0].steps[0].tls.alpn: an empty list is not allowed here',
    label: 'expected at least one entry',
  },
  {
    name: 'a number over its maximum',
    kind: 'suite',
    file: write('w-max.yaml', `${check}    steps:\n      - tls: { port: 70000 }\n`),
    first: 'w-max.yaml:7:22: error: checks[0].steps[0].tls.port: expected 65535 or less, found 70000',
    label: 'expected 65535 or less',
  },
  {
    name: 'zero where more than zero is needed',
    kind: 'targets',
    file: write(
      'w-positive.yaml',
      'targets:\n  s:\n    url: https://x.example.com\n    surge: { allowed: true, max_rps: 0 }\n',
    ),
    first: 'w-positive.yaml:4:38: error: targets.s.surge.max_rps: expected more than 0, found 0',
    label: 'expected more than 0',
  },
  {
    name: 'a fraction where a whole number belongs',
    kind: 'suite',
    file: write('w-int.yaml', `${check}    object: { size: 1.5 }\n    steps:\n      - get: /\n`),
    first: 'w-int.yaml:6:21: error: checks[0].object.size: expected a whole number, found number 1.5',
    label: 'expected a whole number',
  },
  {
    name: 'text where true or false belongs',
    kind: 'suite',
    file: write('w-bool.yaml', `${check}    steps:\n      - get: /\n        each_edge: yes please\n`),
    first: 'w-bool.yaml:8:20: error: checks[0].steps[0].each_edge: expected true or false, found string "yes please"',
    label: 'expected true or false',
  },
  {
    name: 'a list where a mapping belongs',
    kind: 'targets',
    file: write('w-list.yaml', 'targets: [lab]\n'),
    first: 'w-list.yaml:1:10: error: targets: expected a mapping, found a list',
    label: 'expected a mapping',
  },
  {
    name: 'a list where a duration or a pause belongs: the union named by its options',
    kind: 'suite',
    file: write('w-union.yaml', `${check}    steps:\n      - sleep: [1]\n`),
    first:
      'w-union.yaml:7:16: error: checks[0].steps[0].sleep: expected a number or a string or ' +
      'a mapping (ttl, route, plus, minus, at_least) or a mapping (past_expiry), found a list',
    label: 'expected a number or a string or a mapping',
  },
  {
    name: 'a path without its leading slash',
    kind: 'suite',
    file: write('w-prefix.yaml', `${check}    steps:\n      - origin: { set: { body: x }, path: x }\n`),
    first: 'w-prefix.yaml:7:43: error: checks[0].steps[0].origin.path: expected text starting with "/"',
    label: 'expected text starting with "/"',
  },
  {
    name: 'a header name with a space: the caret is at the key',
    kind: 'suite',
    file: write('w-key.yaml', `${check}    steps:\n      - get: /\n        headers: { "X Bad": 1 }\n`),
    first:
      'w-key.yaml:8:20: error: checks[0].steps[0].headers.X Bad: not a valid key: not a header name (letters, ' +
      "digits and !#$%&'*+.^_`|~-)",
    label: "not a header name (letters, digits and !#$%&'*+.^_`|~-)",
  },
  {
    name: 'a target name with a space',
    kind: 'targets',
    file: write('w-target-name.yaml', 'targets:\n  "lab one":\n    lab: reference\n'),
    first:
      'w-target-name.yaml:2:3: error: targets.lab one: not a valid key: expected a name of letters, digits, ' +
      '_ . and -',
    label: 'expected a name of letters, digits, _ . and -',
  },
];

/** zod's default messages: none may reach a user. */
const ZOD_WORDING = /Too small|Too big|Invalid (input|string|key|element|option)|expected string to/;

for (const c of [...cases, ...wordings]) {
  t.test(`${c.kind}: ${c.name}`, async (t) => {
    const args =
      c.kind === 'targets'
        ? ['run', '--targets', c.file, '--suite', cachingSuite]
        : ['run', '--targets', goodTargets, '--suite', c.file];
    const res = await edgecheckIn(args, dir);
    t.equal(res.code, 2, 'exit code 2');
    const lines = res.stderr.split('\n');
    t.equal(lines[0], c.first);
    t.notMatch(res.stderr, /\n\s+at .+:\d+:\d+/, 'no stack trace');
    const [, lineNo, col] = c.first.split(':') as [string, string, string];
    t.match(lines[2], new RegExp(`^${lineNo} \\| `), 'shows the offending line');
    const gutter = ' '.repeat(lineNo.length);
    t.equal(lines[3], `${gutter} | ${' '.repeat(Number(col) - 1)}^ ${c.label}`, 'a labelled caret under the column');
    t.notMatch(res.stderr, ZOD_WORDING, "none of zod's own wording");
    if (c.allowed) {
      t.match(res.stderr, `= allowed: `);
      t.match(res.stderr, c.allowed);
    }
    t.equal(res.stdout, '', 'nothing on stdout');
  });
}

t.test('several problems are all reported, in file order', async (t) => {
  const yaml = `${check}    colour: red\n    steps:\n      - get: /\n        expect: { served_by: both }\n`;
  const file = write('s-many.yaml', yaml);
  const res = await edgecheckIn(['run', '--targets', goodTargets, '--suite', file], dir);
  t.equal(res.code, 2);
  const firsts = res.stderr.split('\n').filter((l) => l.startsWith('s-many.yaml:'));
  t.same(
    firsts.map((l) => l.split(': error')[0]),
    ['s-many.yaml:6:5', 's-many.yaml:9:30'],
  );
});
