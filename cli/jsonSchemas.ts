// JSON Schemas (draft-07) generated from the zod schemas, for editors
// (yaml-language-server modelines). The committed files in harness/schema/
// must equal these; the CLI composes them because they span both engines and
// the lab catalogue (which labs and fault switches targets.yaml may name).
import { z } from 'zod';
import { suiteSchema } from '../harness/config/suiteSchema.js';
import { targetsFileSchemaFor } from '../harness/config/targetsSchema.js';
import { labEdges } from '../lab/labs.js';
import { planSchema } from '../load/planSchema.js';

export const schemaFiles = {
  'targets.schema.json': targetsFileSchemaFor(labEdges),
  'suite.schema.json': suiteSchema,
  'surge.schema.json': planSchema,
} as const;

export function jsonSchemas(): Record<keyof typeof schemaFiles, object> {
  const out = {} as Record<keyof typeof schemaFiles, object>;
  for (const [file, schema] of Object.entries(schemaFiles) as Array<[keyof typeof schemaFiles, z.ZodType]>) {
    out[file] = z.toJSONSchema(schema, { target: 'draft-7', io: 'input', unrepresentable: 'any' });
  }
  return out;
}

export function renderSchema(schema: object): string {
  return JSON.stringify(schema, null, 2) + '\n';
}
