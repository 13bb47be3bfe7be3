// Valid suites, surge plans and targets files, mutated at random: loading one
// either succeeds (exit 0 would follow) or throws a ConfigError (exit 2) whose
// message the cli prints as file:line:col with the line, or as a clean sentence.
// Any other exception is a crash. Validation only: no lab starts, no request is sent.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import t from 'tap';
import { formatConfigError } from '../cli/formatError.js';
import { loadSuite, loadTargets } from '../harness/config/load.js';
import { ConfigError } from '../harness/errors.js';
import { labEdges } from '../lab/labs.js';
import { loadPlan } from '../load/loadPlan.js';

const root = join(import.meta.dirname, '..');
const suitesDir = join(root, 'suites');

interface Source {
  name: string;
  text: string;
  load(file: string): unknown;
}

const sources: Source[] = [
  {
    name: 'targets.yaml',
    text: readFileSync(join(root, 'targets.yaml'), 'utf8'),
    load: (f) => loadTargets(f, labEdges, {}),
  },
  ...readdirSync(suitesDir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((name): Source => {
      const text = readFileSync(join(suitesDir, name), 'utf8');
      const plan = /^surge:/m.test(text);
      return { name, text, load: plan ? (f) => loadPlan(f, {}) : (f) => loadSuite(f, {}) };
    }),
];

/** Values a hand might put where another belongs. */
const oddValue = fc.oneof(
  fc.constantFrom(
    '-1',
    '0',
    '1e309',
    '5 minutes',
    '2xx0',
    '[]',
    '{}',
    '~',
    'null',
    'true',
    '""',
    '*nowhere',
    '&a x',
    '${env:EDGECHECK_FUZZ_NOT_SET}',
    '${file:./no-such-file}',
    '<<: *a',
    '[a, [b, {c: d}]]',
    '"\\u0000"',
    '!!binary x',
    '|',
    '-',
    ':',
    '?',
    "'",
    '{a: 1',
  ),
  fc.string({ maxLength: 12 }),
  fc.integer().map(String),
  fc.double().map(String),
);

/** One edit to the text's lines; positions are fractions of the length, so any text takes any edit. */
type Edit = (lines: string[]) => string[];
const at = (fraction: number, n: number) => Math.min(n - 1, Math.floor(fraction * n));
const unit = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true });

const edit: fc.Arbitrary<Edit> = fc.oneof(
  // delete a line
  unit.map(
    (p): Edit =>
      (ls) =>
        ls.filter((_, i) => i !== at(p, ls.length)),
  ),
  // duplicate a line (a duplicate key, a second list entry)
  unit.map(
    (p): Edit =>
      (ls) =>
        ls.flatMap((l, i) => (i === at(p, ls.length) ? [l, l] : [l])),
  ),
  // replace a line's value, or the whole line when it has no key
  fc.tuple(unit, oddValue).map(([p, v]): Edit => (ls) => {
    const i = at(p, ls.length);
    const line = ls[i] ?? '';
    const colon = line.indexOf(': ');
    return ls.map((l, j) => (j === i ? (colon >= 0 ? `${line.slice(0, colon + 2)}${v}` : v) : l));
  }),
  // replace a key with another line's key
  fc.tuple(unit, unit).map(([p, q]): Edit => (ls) => {
    const key = /^(\s*-?\s*)([^:\s][^:]*):/.exec(ls[at(q, ls.length)] ?? '')?.[2];
    const i = at(p, ls.length);
    return key === undefined ? ls : ls.map((l, j) => (j === i ? l.replace(/^(\s*-?\s*)[^:\s][^:]*:/, `$1${key}:`) : l));
  }),
  // a tab, or one space more or less, at the start of a line
  fc.tuple(unit, fc.constantFrom('\t', ' ', '', '  - ')).map(([p, lead]): Edit => (ls) => {
    const i = at(p, ls.length);
    return ls.map((l, j) => (j === i ? (lead === '' ? l.replace(/^ /, '') : lead + l) : l));
  }),
  // swap two neighbouring characters, or insert text, anywhere in a line
  fc.tuple(unit, unit, fc.oneof(fc.constant(''), fc.string({ maxLength: 4 }))).map(([p, q, text]): Edit => (ls) => {
    const i = at(p, ls.length);
    return ls.map((l, j) => {
      if (j !== i || l.length < 2) return l;
      const k = at(q, l.length - 1);
      return text === '' ? l.slice(0, k) + l[k + 1] + l[k] + l.slice(k + 2) : l.slice(0, k) + text + l.slice(k);
    });
  }),
  // truncate the file
  unit.map(
    (p): Edit =>
      (ls) =>
        ls.slice(0, at(p, ls.length) + 1),
  ),
  // move a line elsewhere
  fc.tuple(unit, unit).map(([p, q]): Edit => (ls) => {
    const from = at(p, ls.length);
    const rest = ls.filter((_, i) => i !== from);
    rest.splice(at(q, rest.length + 1), 0, ls[from] ?? '');
    return rest;
  }),
);

const dir = mkdtempSync(join(tmpdir(), 'edgecheck-fuzz-'));
const STACK = /\n\s+at .+:\d+:\d+/;
const PROBLEM = /^(\S+:\d+:\d+: )?error: /;

t.test('mutated config files load or fail with a config error, never a crash', async (t) => {
  let configErrors = 0;
  let loaded = 0;
  fc.assert(
    fc.property(fc.constantFrom(...sources), fc.array(edit, { minLength: 1, maxLength: 4 }), (source, edits) => {
      const text = edits.reduce((ls, e) => e(ls), source.text.split('\n')).join('\n');
      const file = join(dir, source.name);
      writeFileSync(file, text);
      try {
        source.load(file);
        loaded++;
        return;
      } catch (err) {
        if (!(err instanceof ConfigError)) throw err;
        configErrors++;
        const shown = formatConfigError(err, dir);
        if (STACK.test(shown)) throw new Error(`a stack trace in:\n${shown}`);
        if (!PROBLEM.test(shown)) throw new Error(`not a config error's first line:\n${shown}`);
        for (const p of err.problems) {
          if (p.position && !(p.position.line >= 1 && p.position.col >= 1))
            throw new Error(`no position for: ${p.message}`);
        }
      }
    }),
    { numRuns: 2000 },
  );
  t.ok(configErrors > 0 && loaded > 0, `both outcomes seen (${loaded} loaded, ${configErrors} config errors)`);
});
