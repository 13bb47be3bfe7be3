// examples/ci/nightly.yml stays true: every edgecheck command it runs names a
// command and flags the built CLI documents in its --help, and the steps that
// decide the job's fate are there (baseline, comparison in the summary, upload).
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import t from 'tap';
import { parse } from 'yaml';
import { edgecheck } from './support/cli.js';

const file = resolve(import.meta.dirname, '..', 'examples', 'ci', 'nightly.yml');

interface Step {
  name?: string;
  uses?: string;
  run?: string;
}

t.test('examples/ci/nightly.yml: its edgecheck commands are ones the cli has', async (t) => {
  const workflow = parse(readFileSync(file, 'utf8')) as { jobs: Record<string, { steps: Step[] }> };
  const steps = Object.values(workflow.jobs).flatMap((j) => j.steps);
  const commands = steps
    .flatMap((s) => (s.run ?? '').replace(/\\\n\s*/g, ' ').split('\n'))
    .map((line) => /npx edgecheck (.*)$/.exec(line.trim())?.[1])
    .filter((c): c is string => c !== undefined);
  t.ok(commands.length >= 3, `edgecheck runs ${commands.length} times`);
  for (const command of commands) {
    const [name = '', ...args] = command.split(/\s+/);
    const help = edgecheck([name, '--help']);
    t.equal(help.status, 0, `edgecheck ${name} --help`);
    for (const flag of args.filter((a) => a.startsWith('--'))) {
      t.match(help.stdout, new RegExp(`${flag}\\b`), `${name} takes ${flag}`);
    }
  }
  const joined = steps.map((s) => `${s.uses ?? ''} ${s.run ?? ''}`).join('\n');
  t.match(joined, /actions\/download-artifact/, 'the last night is downloaded');
  t.match(joined, /compare --baseline baseline\/run\.json results\/run\.json --format markdown/, 'and compared');
  t.match(joined, /GITHUB_STEP_SUMMARY/, 'the comparison goes to the job summary');
  t.match(joined, /actions\/upload-artifact/, 'tonight is uploaded for tomorrow');
  t.match(joined, /--reporter dot,junit,html/, 'JUnit and the html report are written');
});
