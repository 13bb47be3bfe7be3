// Bad targets files and suites: exit 2, file:line:col, the line with a caret,
// what is allowed — and never a stack trace.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { edgecheck } from './support/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'edgecheck-config-'));
const write = (name: string, text: string) => (writeFileSync(join(dir, name), text), name);
const goodTargets = write('good-targets.yaml', 'targets:\n  lab:\n    lab: reference\n');

interface Case {
  name: string;
  file: string;
  kind: 'targets' | 'suite';
  /** the first line of stderr, exactly */
  first: string;
  caretLine?: string;
  allowed?: string;
}

const cases: Case[] = [
  {
    name: 'unknown key with a suggestion',
    kind: 'targets',
    file: write('t-unknown-key.yaml', 'targets:\n  lab:\n    lab: reference\n    cache_stauts: nginx\n'),
    first: "t-unknown-key.yaml:4:5: error: targets.lab: unknown key 'cache_stauts' (did you mean 'cache_status'?)",
    caretLine: '  |     ^',
    allowed: 'cache_status',
  },
  {
    name: 'value outside an enum',
    kind: 'targets',
    file: write('t-enum.yaml', 'targets:\n  lab:\n    lab: ngnix\n'),
    first: `t-enum.yaml:3:10: error: targets.lab.lab: "ngnix" is not allowed (did you mean 'nginx'?)`,
    caretLine: '  |          ^',
    allowed: 'reference, nginx, varnish, trafficserver, squid',
  },
  {
    name: 'an empty ALPN protocol name (Node would abort on it)',
    kind: 'targets',
    file: write('t-alpn.yaml', 'targets:\n  lab:\n    lab: reference\n    tls: { alpn: [h2, ""] }\n'),
    first: 't-alpn.yaml:4:23: error: targets.lab.tls.alpn[1]: Too small: expected string to have >=1 characters',
    caretLine: '  |                       ^',
  },
  {
    name: 'missing environment variable',
    kind: 'targets',
    file: write(
      't-env.yaml',
      'targets:\n  staging:\n    url: https://cdn.example.com\n    origin:\n      control: https://o.example.com\n      token: ${env:EDGECHECK_TEST_NOPE}\n',
    ),
    first: 't-env.yaml:6:14: error: environment variable EDGECHECK_TEST_NOPE is not set',
  },
  {
    name: 'YAML syntax error',
    kind: 'targets',
    file: write('t-syntax.yaml', 'targets:\n  a:\n    lab: reference\n   b: 1\n'),
    first: 't-syntax.yaml:4:1: error: invalid YAML: All mapping items must start at the same column',
  },
  {
    name: 'both lab and url',
    kind: 'targets',
    file: write('t-both.yaml', 'targets:\n  a:\n    lab: reference\n    url: https://x.example.com\n'),
    first: 't-both.yaml:3:5: error: targets.a: a target needs exactly one of `lab` (an embedded lab edge) or `url` (an endpoint to test)',
  },
  {
    name: 'missing file reference',
    kind: 'targets',
    file: write('t-file.yaml', 'targets:\n  s:\n    url: https://x.example.com\n    tls: { ca: "${file:./nope.pem}" }\n'),
    first: `t-file.yaml:4:16: error: file ./nope.pem cannot be read (looked for ${join(dir, 'nope.pem')})`,
  },
  {
    name: 'unknown step kind',
    kind: 'suite',
    file: write('s-kind.yaml', 'suite: s\ntitle: S\nchecks:\n  - id: a\n    title: A\n    steps:\n      - gett: /\n'),
    first: "s-kind.yaml:7:9: error: checks[0].steps[0]: unknown key 'gett' (did you mean 'get'?)",
    allowed: 'get, head, post, request, sleep, origin',
  },
  {
    name: 'bad status',
    kind: 'suite',
    file: write('s-status.yaml', 'suite: s\ntitle: S\nchecks:\n  - id: a\n    title: A\n    steps:\n      - get: /\n        expect: { status: abc }\n'),
    first: 's-status.yaml:8:27: error: checks[0].steps[0].expect.status: expected a status class such as 2xx',
  },
  {
    name: 'missing steps',
    kind: 'suite',
    file: write('s-missing.yaml', 'suite: s\ntitle: S\nchecks:\n  - id: a\n    title: A\n'),
    first: "s-missing.yaml:4:5: error: missing required key 'steps' (array)",
  },
  {
    name: 'duplicate check id',
    kind: 'suite',
    file: write('s-dup.yaml', 'suite: s\ntitle: S\nchecks:\n  - id: a\n    title: A\n    steps: [{ sleep: 1s }]\n  - id: a\n    title: B\n    steps: [{ sleep: 1s }]\n'),
    first: "s-dup.yaml:7:9: error: checks[1].id: 'a' is already the id of checks[0]; ids name the check's URL path and must be unique",
  },
  {
    name: 'bad duration',
    kind: 'suite',
    file: write('s-duration.yaml', 'suite: s\ntitle: S\nchecks:\n  - id: a\n    title: A\n    steps:\n      - sleep: 2 seconds\n'),
    first: 's-duration.yaml:7:16: error: checks[0].steps[0].sleep: expected a duration such as 500ms, 2s, 5m, 1h, 1d, or a number of seconds',
  },
  {
    name: 'a stray key on a sleep step is read as a sleep step',
    kind: 'suite',
    file: write('s-sleep-expect.yaml', 'suite: s\ntitle: S\nchecks:\n  - id: a\n    title: A\n    steps:\n      - sleep: 2s\n        expect: { status: 200 }\n'),
    first: "s-sleep-expect.yaml:8:9: error: checks[0].steps[0]: unknown key 'expect'",
    allowed: 'sleep',
  },
  {
    name: 'an alias to no anchor',
    kind: 'suite',
    file: write('s-alias.yaml', 'suite: s\ntitle: *nope\nchecks: []\n'),
    first: 's-alias.yaml:2:8: error: invalid YAML: Unresolved alias (the anchor must be set before the alias): nope',
  },
  {
    name: 'a pattern that does not compile',
    kind: 'suite',
    file: write('s-regex.yaml', 'suite: s\ntitle: S\nchecks:\n  - id: a\n    title: A\n    steps:\n      - get: /\n        expect: { headers: { age: { matches: "(" } } }\n'),
    first: 's-regex.yaml:8:46: error: checks[0].steps[0].expect.headers.age.matches: not a valid regular expression',
  },
  {
    name: 'a matcher with no test',
    kind: 'suite',
    file: write('s-empty-matcher.yaml', 'suite: s\ntitle: S\nchecks:\n  - id: a\n    title: A\n    steps:\n      - get: /\n        expect: { headers: { age: {} } }\n'),
    first: 's-empty-matcher.yaml:8:35: error: checks[0].steps[0].expect.headers.age: a matcher needs a test: equals, matches, contains, absent, present, gte or lte',
  },
  {
    name: 'a line break in a header value',
    kind: 'suite',
    file: write('s-header.yaml', 'suite: s\ntitle: S\nchecks:\n  - id: a\n    title: A\n    object: { headers: { X-Bad: "a\\nb" } }\n    steps:\n      - get: /\n'),
    first: 's-header.yaml:6:33: error: checks[0].object.headers.X-Bad: a header value cannot hold a line break',
  },
  {
    name: 'a query in the path',
    kind: 'suite',
    file: write('s-query.yaml', 'suite: s\ntitle: S\nchecks:\n  - id: a\n    title: A\n    steps:\n      - get: /page?v=1\n'),
    first: 's-query.yaml:7:14: error: checks[0].steps[0].get: a ? in the path would be sent encoded: put the query in `query:`',
  },
  {
    name: 'misspelled served_by value',
    kind: 'suite',
    file: write('s-served.yaml', 'suite: s\ntitle: S\nchecks:\n  - id: a\n    title: A\n    steps:\n      - get: /\n        expect: { served_by: cahce }\n'),
    first: `s-served.yaml:8:30: error: checks[0].steps[0].expect.served_by: "cahce" is not allowed (did you mean 'cache'?)`,
    allowed: 'cache, origin',
  },
];

for (const c of cases) {
  t.test(`${c.kind}: ${c.name}`, async (t) => {
    const args = c.kind === 'targets' ? ['run', '--targets', c.file, '--suite', 'caching'] : ['run', '--targets', goodTargets, '--suite', c.file];
    const res = edgecheck(args, { cwd: dir });
    t.equal(res.status, 2, 'exit code 2');
    const lines = res.stderr.split('\n');
    t.equal(lines[0], c.first);
    t.notMatch(res.stderr, /\n\s+at .+:\d+:\d+/, 'no stack trace');
    const lineNo = c.first.split(':')[1]!;
    t.match(lines[2], new RegExp(`^${lineNo} \\| `), 'shows the offending line');
    if (c.caretLine) t.equal(lines[3], c.caretLine, 'caret under the column');
    else t.match(lines[3], /^\s+\| +\^$/, 'caret line');
    if (c.allowed) t.match(res.stderr, `= allowed: `) && t.match(res.stderr, c.allowed);
    t.equal(res.stdout, '', 'nothing on stdout');
  });
}

t.test('several problems are all reported, in file order', async (t) => {
  const file = write('s-many.yaml', 'suite: s\ntitle: S\nchecks:\n  - id: a\n    title: A\n    colour: red\n    steps:\n      - get: /\n        expect: { served_by: both }\n');
  const res = edgecheck(['run', '--targets', goodTargets, '--suite', file], { cwd: dir });
  t.equal(res.status, 2);
  const firsts = res.stderr.split('\n').filter((l) => l.startsWith('s-many.yaml:'));
  t.same(firsts.map((l) => l.split(': error')[0]), ['s-many.yaml:6:5', 's-many.yaml:9:30']);
});
