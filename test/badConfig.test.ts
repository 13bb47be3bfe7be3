// Golden files for bad input: every targets file, suite and surge plan in
// test/fixtures/bad-config/ makes edgecheck exit 2 and print exactly its .err.
// The file's name says how it is given: targets-* with `run --targets`, suite-*
// with `run --suite` and plan-* with `surge --plan`, beside ok-targets.yaml and
// ok-suite.yaml (which each case fails before using).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { edgecheckIn } from './support/cliInProcess.js';

const fixturesDir = join(import.meta.dirname, 'fixtures', 'bad-config');
/** where the fixtures dir appears in a message (a `${file:}` that was not found), in the .err files */
const FIXTURES = '<fixtures>';

/** The command line a case file is given with, from its name. */
function argsFor(file: string): string[] {
  if (file.startsWith('targets-')) return ['run', '--targets', file, '--suite', 'ok-suite.yaml'];
  if (file.startsWith('suite-')) return ['run', '--targets', 'ok-targets.yaml', '--suite', file];
  if (file.startsWith('plan-')) return ['surge', '--plan', file, '--targets', 'ok-targets.yaml'];
  throw new Error(`${file}: a case is named targets-*, suite-* or plan-*`);
}

const cases = readdirSync(fixturesDir)
  .filter((f) => /^(targets|suite|plan)-.*\.yaml$/.test(f))
  .sort();

delete process.env['EDGECHECK_FIXTURE_NOT_SET'];
delete process.env['EDGECHECK_DEBUG'];

t.ok(cases.length >= 40, `at least 40 cases (${cases.length})`);

for (const file of cases) {
  t.test(file, async (t) => {
    const expected = readFileSync(join(fixturesDir, file.replace(/\.yaml$/, '.err')), 'utf8');
    const res = await edgecheckIn(argsFor(file), fixturesDir);
    t.equal(res.code, 2, 'exit code 2');
    t.equal(res.stderr.replaceAll(fixturesDir, FIXTURES), expected, 'stderr is the golden file');
    t.notMatch(res.stderr, /\n\s+at .+:\d+:\d+/, 'no stack trace');
    t.equal(res.stdout, '', 'nothing on stdout');
  });
}
