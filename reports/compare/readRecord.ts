// Reads saved run records for compare: each file checked against the parts of
// edgecheck.run/2 a comparison reads, a bad one a ConfigError at file:line:col
// (JSON is YAML, so the config loader's positions serve here too).
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { validate } from '../../harness/config/validate.js';
import {
  parseYamlText,
  plainData,
  positionOf,
  readConfigText,
  type YamlSource,
} from '../../harness/config/yamlSource.js';
import { ConfigError } from '../../harness/errors.js';
import { RUN_RECORD_SCHEMA, type RunRecord } from '../../harness/record.js';
import type { CompareInput } from './compare.js';

const status = z.enum(['passed', 'failed', 'skipped']);
const check = z.looseObject({
  suite: z.string(),
  id: z.string(),
  title: z.string(),
  kind: z.enum(['required', 'optimal', 'info']),
  status,
  duration_ms: z.number(),
  steps: z.array(z.looseObject({ kind: z.string(), failures: z.array(z.unknown()) })),
});
const verdict = z.enum(['held', 'breached', 'not measured']);
const threshold = z.looseObject({
  threshold: z.string(),
  limit: z.string(),
  actual: z.number().nullable(),
  verdict,
});
const latency = z.looseObject({ p99: z.number() }).nullable();
const handshakes = z.looseObject({ count: z.number(), latency_ms: latency });
const counts = z.record(z.string(), z.number());
// every figure optional: a k6 summary gives only some (harness/surgeRecord.ts SurgeConnectionStats)
const connections = z.looseObject({
  handshakes_per_s: z.number().optional(),
  planned_visits_per_s: z.number().optional(),
  full: handshakes.optional(),
  resumed: handshakes.optional(),
  all: handshakes.optional(),
  resumption: z.looseObject({ offered: z.number(), granted: z.number() }).optional(),
  alpn: counts.optional(),
  alpn_unit: z.literal('responses').optional(),
  h2_fallbacks: z.number().optional(),
  errors_by_kind: counts.optional(),
});
// a plan mixing h1 and h2, per protocol (harness/surgeRecord.ts SurgeProtocolShare)
const protocolShare = z.looseObject({
  protocol: z.enum(['h1', 'h2']),
  paths: z.array(z.string()),
  planned_share: z.number(),
  sent: z.number(),
  share: z.number(),
  responses: z.number(),
  errors: z.number(),
  error_rate: z.number(),
  latency_ms: latency,
});
const surge = z.looseObject({
  plan: z.string(),
  verdict: z.enum(['held', 'breached', 'inconclusive']),
  phases: z.array(
    z.looseObject({
      index: z.number(),
      label: z.string(),
      error_rate: z.number(),
      latency_ms: z.looseObject({ p99: z.number() }).nullable(),
      cache: z.looseObject({ claimed_hit_ratio: z.number().nullable() }),
      thresholds: z.array(threshold),
      connections: connections.optional(),
    }),
  ),
  thresholds: z.array(
    threshold.extend({
      verdict: z.enum(['held', 'breached', 'not measured', 'inconclusive']),
      breached_in: z.array(z.number()),
    }),
  ),
  connection_totals: connections.optional(),
  protocols: z.array(protocolShare).optional(),
});
const runRecord = z.looseObject({
  schema: z.literal(RUN_RECORD_SCHEMA),
  run_id: z.string(),
  target: z.looseObject({ name: z.string(), url: z.string() }),
  started: z.string(),
  finished: z.string(),
  summary: z.looseObject({ passed: z.number(), failed: z.number(), skipped: z.number() }),
  checks: z.array(check),
  surge: surge.optional(),
});

export function readRunRecord(file: string): CompareInput {
  const text = readConfigText(file);
  // JSON.parse is fast; the YAML reader, which knows positions, only reads a file that is wrong
  const data = parsedJson(text);
  if (data !== undefined && runRecord.safeParse(data).success) return { record: data as RunRecord, file };
  const src = readable(file, text);
  const value = plainData(src);
  const schema = (value as { schema?: unknown } | null)?.schema;
  if (schema !== RUN_RECORD_SCHEMA) {
    const found = typeof schema === 'string' ? `a ${schema} record` : 'no edgecheck run record';
    const migrate = typeof schema === 'string' && schema.startsWith('edgecheck.run/') ? ' (see the README)' : '';
    throw new ConfigError([
      {
        message: `${found}: compare reads ${RUN_RECORD_SCHEMA} run records (run.json)${migrate}`,
        position: positionOf(src, typeof schema === 'string' ? ['schema'] : []),
        label: `expected schema: ${RUN_RECORD_SCHEMA}`,
      },
    ]);
  }
  validate(src, runRecord, value);
  return { record: value as RunRecord, file };
}

/** The file with positions; a syntax error is JSON's, as the reader sees the file. */
function readable(file: string, text: string): YamlSource {
  try {
    return parseYamlText(file, text);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    throw new ConfigError(
      err.problems.map((p) => ({ ...p, message: p.message.replace(/^invalid YAML/, 'invalid JSON') })),
    );
  }
}

function parsedJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Every run record in a history folder: DIR/*.json and DIR/<run>/run.json. */
export function readHistory(dir: string): CompareInput[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new ConfigError(`--history ${dir}: no such folder`);
  const files = readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isFile() && entry.name.endsWith('.json')) return [path];
    if (entry.isDirectory() && existsSync(join(path, 'run.json'))) return [join(path, 'run.json')];
    return [];
  });
  if (files.length === 0) throw new ConfigError(`--history ${dir}: no run records (*.json or */run.json) in it`);
  return files.map(readRunRecord);
}
