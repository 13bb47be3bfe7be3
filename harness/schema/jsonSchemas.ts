// JSON Schemas (draft-07) generated from the zod schemas, for editors
// (yaml-language-server modelines). The committed files must equal these.
import { z } from 'zod';
import { suiteSchema } from '../config/suiteSchema.js';
import { targetsFileSchema } from '../config/targetsSchema.js';

export const schemaFiles = {
  'targets.schema.json': targetsFileSchema,
  'suite.schema.json': suiteSchema,
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
