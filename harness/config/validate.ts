// Validates a parsed YAML document against a zod schema and turns zod's issues
// into compiler-style problems: the YAML position, what was found, what is allowed.
import type { z } from 'zod';
import { ConfigError, type ConfigProblem } from '../errors.js';
import { didYouMean } from './didYouMean.js';
import { positionOf, type YamlPath, type YamlSource } from './yamlSource.js';

type Issue = z.core.$ZodIssue;
type Schema = z.core.$ZodType;

export function validate<S extends z.ZodType>(src: YamlSource, schema: S, value: unknown): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const problems = result.error.issues.flatMap((issue) => explain(src, schema, value, issue, []));
  throw new ConfigError(dedupe(problems).sort(byPosition));
}

function explain(src: YamlSource, root: Schema, rootValue: unknown, issue: Issue, prefix: YamlPath): ConfigProblem[] {
  const path = [...prefix, ...(issue.path as YamlPath)];
  const value = valueAt(rootValue, path);
  const at = (p: YamlPath, key = false) => positionOf(src, p, { key });
  const where = path.length ? `${yamlPathText(path)}: ` : '';
  switch (issue.code) {
    case 'unrecognized_keys': {
      const allowed = objectKeys(schemaAt(root, rootValue, path));
      return issue.keys.map((key) => ({
        message: `${where}unknown key '${key}'${didYouMean(key, allowed)}`,
        position: at([...path, key], true),
        allowed: allowed.length ? allowed.join(', ') : undefined,
      }));
    }
    case 'invalid_union':
      return explainUnion(src, root, rootValue, issue, path);
    case 'invalid_value': {
      const allowed = issue.values.map((v) => String(v));
      const found = JSON.stringify(value);
      return [
        {
          message: `${where}${found} is not allowed${typeof value === 'string' ? didYouMean(value, allowed) : ''}`,
          position: at(path),
          allowed: allowed.join(', '),
        },
      ];
    }
    case 'invalid_type': {
      if (value === undefined) {
        const key = path[path.length - 1];
        return [{ message: `missing required key '${String(key)}' (${issue.expected})`, position: at(path.slice(0, -1)) }];
      }
      return [
        { message: `${where}expected ${issue.expected}, found ${describeValue(value)}`, position: at(path), allowed: issue.expected },
      ];
    }
    default:
      return [{ message: `${where}${issue.message}`, position: at(path) }];
  }
}

/**
 * A union fails with one issue list per option. Report the option the value
 * was evidently meant to be (the one whose problems lie deepest), or, when no
 * option fits at all, what the union accepts.
 */
function explainUnion(src: YamlSource, root: Schema, rootValue: unknown, issue: Issue & { errors: Issue[][] }, path: YamlPath): ConfigProblem[] {
  const value = valueAt(rootValue, path);
  const scored = issue.errors.map((errs) => ({ errs, shallow: errs.filter((e) => e.path.length === 0).length + errs.filter((e) => e.path.length === 1 && e.code !== 'invalid_union').length * 0.5 }));
  const fitting = scored.filter((s) => !s.errs.some((e) => e.path.length === 0 && e.code === 'invalid_type'));
  const where = path.length ? `${yamlPathText(path)}: ` : '';
  const options = optionsOf(schemaAt(root, rootValue, path));
  if (fitting.length > 0) {
    fitting.sort((a, b) => a.shallow - b.shallow || a.errs.length - b.errs.length);
    const best = fitting[0]!;
    const allObjectsFailAtRoot = fitting.every((s) => s.errs.some((e) => e.path.length <= 1 && (e.code === 'unrecognized_keys' || (e.code === 'invalid_type' && valueAt(value, e.path as YamlPath) === undefined))));
    if (allObjectsFailAtRoot && isPlainObject(value) && options.length > 1) {
      const allowed = [...new Set(options.flatMap(objectKeys))];
      const unknown = Object.keys(value).filter((k) => !allowed.includes(k));
      if (unknown.length > 0) {
        const kinds = options.map((o) => objectKeys(o)[0]).filter(Boolean) as string[];
        return unknown.map((k) => ({
          message: `${where}unknown key '${k}'${didYouMean(k, allowed)}`,
          position: positionOf(src, [...path, k], { key: true }),
          allowed: kinds.join(', '),
        }));
      }
    }
    return best.errs.flatMap((e) => explain(src, root, rootValue, e, path));
  }
  return [
    {
      message: `${where}expected ${options.map(describeSchema).join(' or ')}, found ${describeValue(value)}`,
      position: positionOf(src, path),
    },
  ];
}

// --- walking zod 4 schemas alongside the value (internal API, read only) ---

function def(s: Schema): Record<string, unknown> & { type: string } {
  return (s as unknown as { _zod: { def: Record<string, unknown> & { type: string } } })._zod.def;
}

function unwrap(s: Schema): Schema {
  let cur = s;
  for (;;) {
    const d = def(cur);
    if (d.type === 'optional' || d.type === 'default' || d.type === 'nullable' || d.type === 'readonly') cur = d.innerType as Schema;
    else if (d.type === 'pipe') cur = d.in as Schema;
    else return cur;
  }
}

function schemaAt(root: Schema, rootValue: unknown, path: YamlPath): Schema | undefined {
  let s: Schema | undefined = root;
  let v: unknown = rootValue;
  for (const seg of path) {
    if (!s) return undefined;
    s = pickOption(unwrap(s), v);
    const d = def(s);
    if (d.type === 'object') s = (d.shape as Record<string, Schema>)[String(seg)];
    else if (d.type === 'array') s = d.element as Schema;
    else if (d.type === 'record') s = d.valueType as Schema;
    else return undefined;
    v = isPlainObject(v) || Array.isArray(v) ? (v as Record<string, unknown>)[seg as string] : undefined;
  }
  return s ? pickOption(unwrap(s), v) : undefined;
}

/**
 * For a union, the object option the value most looks like: a key only one
 * option has (`sleep`) outweighs any number of keys many options share
 * (`expect`), so `{sleep: 2s, expect: ...}` is read as a sleep step with a
 * stray key, not as a request step missing its path.
 */
function pickOption(s: Schema, value: unknown): Schema {
  const d = def(s);
  if (d.type !== 'union') return s;
  if (!isPlainObject(value)) return s;
  const keys = Object.keys(value);
  const objects = (d.options as Schema[]).map(unwrap).filter((o) => def(o).type === 'object');
  const owners = (k: string) => objects.filter((o) => objectKeys(o).includes(k)).length;
  let best: Schema | undefined;
  let bestScore = -1;
  for (const o of objects) {
    const shared = keys.filter((k) => objectKeys(o).includes(k));
    const score = shared.length + 1000 * shared.filter((k) => owners(k) === 1).length;
    if (score > bestScore) [best, bestScore] = [o, score];
  }
  return bestScore > 0 && best ? best : s;
}

function optionsOf(s: Schema | undefined): Schema[] {
  if (!s) return [];
  const d = def(unwrap(s));
  return d.type === 'union' ? (d.options as Schema[]).map(unwrap) : [unwrap(s)];
}

function objectKeys(s: Schema | undefined): string[] {
  if (!s) return [];
  const d = def(unwrap(s));
  return d.type === 'object' ? Object.keys(d.shape as object) : [];
}

function describeSchema(s: Schema): string {
  const d = def(s);
  switch (d.type) {
    case 'object':
      return `a mapping (${objectKeys(s).join(', ')})`;
    case 'array':
      return 'a list';
    case 'enum':
      return `one of ${Object.values(d.entries as object).join(', ')}`;
    case 'literal':
      return JSON.stringify((d.values as unknown[])[0]);
    default:
      return `a ${d.type}`;
  }
}

function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (isPlainObject(v)) return 'a mapping';
  return `${typeof v} ${JSON.stringify(v)}`;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function valueAt(root: unknown, path: YamlPath): unknown {
  let v = root;
  for (const seg of path) {
    if (!isPlainObject(v) && !Array.isArray(v)) return undefined;
    v = (v as Record<string, unknown>)[seg as string];
  }
  return v;
}

/** checks[0].steps[1].expect — the path as a reader of the YAML would say it. */
export function yamlPathText(path: YamlPath): string {
  return path.map((seg, i) => (typeof seg === 'number' ? `[${seg}]` : i === 0 ? seg : `.${seg}`)).join('');
}

function byPosition(a: ConfigProblem, b: ConfigProblem): number {
  return (a.position?.line ?? 0) - (b.position?.line ?? 0) || (a.position?.col ?? 0) - (b.position?.col ?? 0);
}

function dedupe(problems: ConfigProblem[]): ConfigProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.position?.line}:${p.position?.col}:${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
