// Validates a parsed YAML document against a zod schema and turns zod's issues
// into compiler-style problems: the YAML position, what was found, what is allowed.
import type { z } from 'zod';
import { ConfigError, type ConfigProblem } from '../errors.js';
import { didYouMean } from './didYouMean.js';
import { describeValue, leadClause, ownWording, typeNoun, type IssueFacts } from './issueWording.js';
import { positionOf, type YamlPath, type YamlSource } from './yamlSource.js';

type Issue = z.core.$ZodIssue;
type Schema = z.core.$ZodType;

export function validate<S extends z.ZodType>(src: YamlSource, schema: S, value: unknown): z.infer<S> {
  // zod words only the issues whose schema sets no message of its own
  const result = schema.safeParse(value, { error: (iss) => ownWording(iss as IssueFacts, iss.input).message });
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
      return issue.keys.map((key) => unknownKey(where, key, allowed, at([...path, key], true), allowed));
    }
    case 'invalid_union':
      return explainUnion(src, root, rootValue, issue, path);
    case 'invalid_value': {
      const allowed = issue.values.map((v) => String(v));
      const found = JSON.stringify(value);
      const suggestion = typeof value === 'string' ? didYouMean(value, allowed) : '';
      // a schema that words its own message says more than the values it allows (ours is all they would say)
      const own = issue.message === ownWording(issue, value).message ? undefined : issue.message;
      return [
        {
          message: `${where}${found} is not allowed${suggestion || (own ? `: ${own}` : '')}`,
          position: at(path),
          label: suggestionLabel(suggestion) ?? (own ? leadClause(own) : 'not an allowed value'),
          allowed: allowed.join(', '),
        },
      ];
    }
    case 'invalid_type': {
      const want = typeNoun(issue.expected);
      if (value === undefined) {
        const key = String(path[path.length - 1]);
        const message = `missing required key '${key}' (${want})`;
        return [{ message, position: at(path.slice(0, -1)), label: `this mapping needs '${key}'` }];
      }
      const message = `${where}expected ${want}, found ${describeValue(value)}`;
      return [{ message, position: at(path), label: `expected ${want}` }];
    }
    case 'invalid_key': {
      // the key is what is wrong: point at it, not at its value
      const wording = ownWording(issue, value);
      return [{ message: `${where}${wording.message}`, position: at(path, true), label: wording.label }];
    }
    default: {
      const own = ownWording(issue, value);
      // a message the schema wrote itself gets its lead clause as the label
      const label = issue.message === own.message ? own.label : leadClause(issue.message);
      return [{ message: `${where}${issue.message}`, position: at(path), label }];
    }
  }
}

/** An unknown key, with the known key it most looks like; `allowed` is what the message lists. */
function unknownKey(
  where: string,
  key: string,
  known: string[],
  position: ConfigProblem['position'],
  allowed: string[],
): ConfigProblem {
  const suggestion = didYouMean(key, known);
  return {
    message: `${where}unknown key '${key}'${suggestion}`,
    position,
    label: suggestionLabel(suggestion) ?? 'unknown key',
    allowed: allowed.length ? allowed.join(', ') : undefined,
  };
}

/** " (did you mean 'nginx'?)" -> "did you mean 'nginx'?" */
function suggestionLabel(suggestion: string): string | undefined {
  return suggestion ? suggestion.trim().replace(/^\((.*)\)$/, '$1') : undefined;
}

/**
 * A union fails with one issue list per option. Report the option the value
 * was evidently meant to be (the one whose problems lie deepest), or, when no
 * option fits at all, what the union accepts.
 */
function explainUnion(
  src: YamlSource,
  root: Schema,
  rootValue: unknown,
  issue: Issue & { errors: Issue[][] },
  path: YamlPath,
): ConfigProblem[] {
  const value = valueAt(rootValue, path);
  const chosenBy = (issue as { discriminator?: unknown; options?: unknown }).options;
  if (Array.isArray(chosenBy)) return [unknownChoice(src, path, value, chosenBy.map(String))];
  const scored = issue.errors.map((errs) => ({ errs, shallow: shallowness(errs) }));
  const fitting = scored.filter((s) => !s.errs.some((e) => e.path.length === 0 && e.code === 'invalid_type'));
  const where = path.length ? `${yamlPathText(path)}: ` : '';
  const options = optionsOf(schemaAt(root, rootValue, path));
  if (fitting.length > 0) {
    fitting.sort((a, b) => a.shallow - b.shallow || a.errs.length - b.errs.length);
    const best = fitting[0]!;
    const missing = (e: Issue) => e.code === 'invalid_type' && valueAt(value, e.path as YamlPath) === undefined;
    const failsAtRoot = (e: Issue) => e.path.length <= 1 && (e.code === 'unrecognized_keys' || missing(e));
    const allObjectsFailAtRoot = fitting.every((s) => s.errs.some(failsAtRoot));
    if (allObjectsFailAtRoot && isPlainObject(value) && options.length > 1) {
      const allowed = [...new Set(options.flatMap(objectKeys))];
      const unknown = Object.keys(value).filter((k) => !allowed.includes(k));
      if (unknown.length > 0) {
        const kinds = options.map((o) => objectKeys(o)[0]).filter(Boolean) as string[];
        return unknown.map((k) => unknownKey(where, k, allowed, positionOf(src, [...path, k], { key: true }), kinds));
      }
    }
    return best.errs.flatMap((e) => explain(src, root, rootValue, e, path));
  }
  const nouns = [...new Set(options.map(schemaNoun))].join(' or ');
  if (value === undefined && path.length > 0) {
    // a required key left out: say so, and name the forms it may take, not each one's every key
    const key = String(path.at(-1));
    const kinds = options.map((o) => objectKeys(o)[0]);
    const named = kinds.every((k) => k !== undefined);
    return [
      {
        message: `missing required key '${key}' (${nouns})`,
        position: positionOf(src, path.slice(0, -1)),
        label: `this mapping needs '${key}'`,
        ...(named ? { allowed: kinds.join(', ') } : {}),
      },
    ];
  }
  const accepted = options.map(describeSchema).join(' or ');
  return [
    {
      message: `${where}expected ${accepted}, found ${describeValue(value)}`,
      position: positionOf(src, path),
      label: `expected ${nouns}`,
    },
  ];
}

/** A discriminated union (`provider:`, `scheme:`) given a name none of its options has. */
function unknownChoice(src: YamlSource, path: YamlPath, value: unknown, names: string[]): ConfigProblem {
  const where = yamlPathText(path);
  if (value === undefined) {
    return {
      message: `missing required key '${String(path.at(-1))}'`,
      position: positionOf(src, path.slice(0, -1)),
      label: `add ${String(path.at(-1))}`,
      allowed: names.join(', '),
    };
  }
  const hint = typeof value === 'string' ? didYouMean(value, names) : '';
  return {
    message: `${where}: ${JSON.stringify(value)} is not allowed${hint}`,
    position: positionOf(src, path),
    label: hint ? hint.replace(/^ \(|\)$/g, '') : 'not one of the names allowed here',
    allowed: names.join(', '),
  };
}

/** How near the top of an option its problems are: the option the value was meant to be has them deepest. */
function shallowness(errs: Issue[]): number {
  const atRoot = errs.filter((e) => e.path.length === 0).length;
  const atKeys = errs.filter((e) => e.path.length === 1 && e.code !== 'invalid_union').length;
  return atRoot + atKeys * 0.5;
}

// --- walking zod 4 schemas alongside the value (internal API, read only) ---

function def(s: Schema): Record<string, unknown> & { type: string } {
  return (s as unknown as { _zod: { def: Record<string, unknown> & { type: string } } })._zod.def;
}

function unwrap(s: Schema): Schema {
  let cur = s;
  for (;;) {
    const d = def(cur);
    const wrapper = d.type === 'optional' || d.type === 'default' || d.type === 'nullable' || d.type === 'readonly';
    if (wrapper) cur = d.innerType as Schema;
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
  // a discriminated union names its option: `provider: cloudfront` is the cloudfront block
  const discriminator = d.discriminator as string | undefined;
  if (discriminator !== undefined && typeof value[discriminator] === 'string') {
    const named = (d.options as Schema[]).map(unwrap).find((o) => literalOf(o, discriminator) === value[discriminator]);
    if (named) return named;
  }
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

function literalOf(s: Schema, key: string): unknown {
  const field = (def(s).shape as Record<string, Schema> | undefined)?.[key];
  const values = field ? (def(unwrap(field)).values as unknown[] | undefined) : undefined;
  return values?.[0];
}

/** The options of a union, a union among them opened up too: a reader knows no "union". */
function optionsOf(s: Schema | undefined): Schema[] {
  if (!s) return [];
  const d = def(unwrap(s));
  return d.type === 'union' ? (d.options as Schema[]).flatMap(optionsOf) : [unwrap(s)];
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

/** An option of a union in a word or two, for the caret label. */
function schemaNoun(s: Schema): string {
  const d = def(s);
  if (d.type === 'enum') return 'one of the allowed names';
  if (d.type === 'literal') return JSON.stringify((d.values as unknown[])[0]);
  return typeNoun(d.type);
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
