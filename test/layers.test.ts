// The layers of docs/architecture.md are enforced by the linter: an import
// that runs the wrong way is an error in `npm test`, not a review comment.
import { resolve } from 'node:path';
import { ESLint } from 'eslint';
import t from 'tap';

const root = resolve(import.meta.dirname, '..');
const eslint = new ESLint({ cwd: root });

async function boundaryErrors(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: resolve(root, file) });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

const wrongWay: Array<[file: string, specifier: string]> = [
  ['harness/target/openTarget.ts', '../../lab/labs.js'],
  ['harness/record.ts', '../reports/reporter.js'],
  ['harness/steps/request.ts', '../../load/plan.js'],
  ['harness/config/load.ts', '../../cli/paths.js'],
  ['lab/referenceLab.ts', '../cli/paths.js'],
  ['lab/probeOrigin/probeOrigin.ts', '../../reports/reporter.js'],
  ['load/queen.ts', '../reports/mission.js'],
  ['load/k6/k6Script.ts', '../../lab/labs.js'],
  ['reports/list.ts', '../load/plan.js'],
  ['reports/junit.ts', '../lab/labs.js'],
  ['import/cloudfront/importedTarget.ts', '../../twin/cloudfront/stagingTwin.js'],
  ['twin/cloudfront/twinTarget.ts', '../../lab/labs.js'],
  ['twin/cloudfront/app/lib/stagingTwinStack.ts', '../../twinApp.js'],
];

t.test('an import against the layers fails the lint', async (t) => {
  for (const [file, specifier] of wrongWay) {
    const errors = await boundaryErrors(file, `import { x } from '${specifier}';\nexport const y = x;\n`);
    t.equal(errors.length, 1, `${file} importing ${specifier}`);
    t.match(errors[0], /docs\/architecture\.md/, 'the message says where the layers are written down');
  }
});

const rightWay: Array<[file: string, specifier: string]> = [
  ['cli/runCommand.ts', '../lab/labs.js'],
  ['lab/labs.ts', '../harness/target/lab.js'],
  ['lab/probeOrigin/objectStore.ts', '../../harness/origin/protocol.js'],
  ['load/bee.ts', '../harness/cacheStatus/index.js'],
  ['reports/list.ts', '../harness/record.js'],
  ['harness/steps/request.ts', '../target/lab.js'],
  ['twin/cloudfront/twinTarget.ts', '../../import/cloudfront/importedTarget.js'],
  ['twin/cloudfront/app/bin/twin.ts', '../lib/stagingTwinStack.js'],
];

t.test('imports that run the right way pass', async (t) => {
  for (const [file, specifier] of rightWay) {
    t.same(
      await boundaryErrors(file, `import { x } from '${specifier}';\nexport const y = x;\n`),
      [],
      `${file} importing ${specifier}`,
    );
  }
});
