// A parsed YAML file that still knows where each value came from, so every
// config error can point at file:line:col.
import { readFileSync } from 'node:fs';
import { Document, isMap, isPair, isScalar, LineCounter, parseDocument, visit, type Alias, type Node } from 'yaml';
import { ConfigError, type SourcePosition } from '../errors.js';

export type YamlPath = ReadonlyArray<string | number>;

export interface YamlSource {
  file: string;
  lines: string[];
  doc: Document;
  lineCounter: LineCounter;
}

export function readYamlFile(file: string): YamlSource {
  return parseYamlText(file, readConfigText(file));
}

/** A file the user named, as text; a missing or unreadable one is a config error naming it. */
export function readConfigText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ConfigError(code === 'ENOENT' ? `${file}: no such file` : `${file}: cannot read (${code ?? err})`);
  }
}

export function parseYamlText(file: string, text: string): YamlSource {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const src: YamlSource = { file, lines: text.split(/\r?\n/), doc, lineCounter };
  if (doc.errors.length > 0) {
    // the parser may report one fault several times, once per enclosing collection
    const seen = new Set<string>();
    const unique = doc.errors.filter((e) => {
      const key = `${e.pos[0]}:${e.message}`;
      return !seen.has(key) && Boolean(seen.add(key));
    });
    throw new ConfigError(
      unique.map((e) => ({
        message: `invalid YAML: ${e.message.split('\n')[0]}`,
        position: positionAtOffset(src, e.pos[0]),
        label: 'the YAML parser stopped here',
      })),
    );
  }
  refuseMergeKeys(src);
  return src;
}

/**
 * YAML 1.2 has no merge keys: `<<: *base` would reach the schema as a key named
 * "<<" and be reported as an unknown key, or a bad header name. Say what it is.
 */
function refuseMergeKeys(src: YamlSource): void {
  const merges: Node[] = [];
  visit(src.doc, {
    Pair(_, pair) {
      if (isScalar(pair.key) && pair.key.value === '<<' && pair.key.type === 'PLAIN') merges.push(pair.key);
    },
  });
  if (merges.length === 0) return;
  throw new ConfigError(
    merges.map((key) => ({
      message: 'merge keys (<<) are not supported: write the keys out, or alias a whole value (key: *name)',
      position: positionAtOffset(src, key.range?.[0] ?? 0),
      label: 'a merge key',
    })),
  );
}

/** a document that expands to more than this many aliased nodes is refused (a "billion laughs" file) */
const MAX_ALIAS_COUNT = 1000;

/**
 * The file as plain data. An alias to an anchor that is not there, or one
 * that expands without bound, is a config error at the alias, not a crash.
 */
export function plainData(src: YamlSource): unknown {
  try {
    return src.doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (err) {
    let culprit: Alias | undefined;
    visit(src.doc, {
      Alias(_, node) {
        if (culprit === undefined || node.resolve(src.doc) === undefined) culprit = node;
        return node.resolve(src.doc) === undefined ? visit.BREAK : undefined;
      },
    });
    throw new ConfigError([
      {
        message: `invalid YAML: ${(err as Error).message.split('\n')[0]}`,
        position: positionAtOffset(src, culprit?.range?.[0] ?? 0),
        label: culprit?.resolve(src.doc) === undefined ? 'no anchor of this name before here' : 'expands too far',
      },
    ]);
  }
}

export function positionAtOffset(src: YamlSource, offset: number): SourcePosition {
  const { line, col } = src.lineCounter.linePos(offset);
  return { file: src.file, line, col, lineText: src.lines[line - 1] ?? '' };
}

/**
 * Where the value at `path` starts; with `key: true`, where its key starts
 * (for unknown keys). Falls back to the nearest ancestor that exists.
 */
export function positionOf(src: YamlSource, path: YamlPath, opts: { key?: boolean } = {}): SourcePosition {
  if (opts.key && path.length > 0) {
    const parent = src.doc.getIn(path.slice(0, -1), true);
    if (isMap(parent)) {
      const pair = parent.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === path[path.length - 1]);
      const keyNode = pair?.key as Node | undefined;
      if (keyNode?.range) return positionAtOffset(src, keyNode.range[0]);
    }
  }
  for (let n = path.length; n >= 0; n--) {
    const node = (n === 0 ? src.doc.contents : src.doc.getIn(path.slice(0, n), true)) as Node | null | undefined;
    if (node && typeof node === 'object' && node.range) return positionAtOffset(src, node.range[0]);
  }
  return { file: src.file, line: 1, col: 1, lineText: src.lines[0] ?? '' };
}
