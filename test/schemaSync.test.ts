// The committed JSON Schemas (for editors) must equal what the zod schemas
// generate, and every shipped YAML file must point its modeline at them.
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import t from 'tap';
import { jsonSchemas, renderSchema } from '../cli/jsonSchemas.js';
import { isSurgePlanFile } from '../harness/config/load.js';

const root = resolve(import.meta.dirname, '..');

t.test('committed schemas are in sync with the zod schemas', async (t) => {
  for (const [file, schema] of Object.entries(jsonSchemas())) {
    const committed = readFileSync(join(root, 'harness', 'schema', file), 'utf8');
    t.equal(committed, renderSchema(schema), `${file} is current (run: npm run build && npm run schema:write)`);
  }
});

t.test('targets.yaml and the suites carry yaml-language-server modelines', async (t) => {
  t.match(
    readFileSync(join(root, 'targets.yaml'), 'utf8'),
    /^# yaml-language-server: \$schema=\.\/harness\/schema\/targets\.schema\.json/,
  );
  const suites = readdirSync(join(root, 'suites')).filter((f) => f.endsWith('.yaml'));
  t.ok(suites.length > 0);
  for (const f of suites) {
    const schema = isSurgePlanFile(join(root, 'suites', f)) ? 'surge' : 'suite';
    t.match(
      readFileSync(join(root, 'suites', f), 'utf8'),
      new RegExp(`^# yaml-language-server: \\$schema=\\.\\./harness/schema/${schema}\\.schema\\.json`),
      f,
    );
  }
});
