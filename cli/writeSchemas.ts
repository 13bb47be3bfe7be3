// `npm run schema:write`: regenerates the committed JSON Schema files.
import { writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { jsonSchemas, renderSchema } from './jsonSchemas.js';

// dist/cli -> harness/schema in the source tree
const target = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'harness', 'schema');
for (const [file, schema] of Object.entries(jsonSchemas())) {
  writeFileSync(join(target, file), renderSchema(schema));
  process.stdout.write(`wrote harness/schema/${file}\n`);
}
