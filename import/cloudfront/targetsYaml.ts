// An imported target as a targets.yaml file: each promise with a comment
// naming the configuration field it came from, the suites' route names as
// aliases of the behaviours' routes, and a header with what was not promised
// and which checks will be skipped.
import { Document, isMap, isScalar, visit, type Pair, type Scalar, type YAMLMap } from 'yaml';
import type { YamlPath } from '../../harness/config/yamlSource.js';
import type { ImportedTarget } from './importedTarget.js';
import type { SkippedCheck } from './skippedChecks.js';

export interface TargetsYamlOptions {
  /** what the target was read from, for the header: `distribution E123` or a file */
  source: string;
  skipped: SkippedCheck[];
  /** more header lines, after the source */
  header?: string[];
  /** the command that wrote it (default: import cloudfront) */
  command?: string;
}

export function targetsYaml(imported: ImportedTarget, opts: TargetsYamlOptions): string {
  const doc = new Document({ default: imported.name, targets: { [imported.name]: imported.config } });
  const at = (path: YamlPath) => ['targets', imported.name, ...path];
  for (const { path, text } of imported.comments) commentOn(doc, at(path), text);
  const routes = doc.getIn(at(['routes']), true) as YAMLMap;
  for (const alias of imported.aliases) {
    const route = doc.getIn(at(['routes', alias.of]), true) as YAMLMap;
    route.anchor = alias.of;
    const key = doc.createNode(alias.name) as Scalar;
    key.commentBefore = ` ${alias.name} (a route name the suites use): ${alias.why}`;
    routes.items.push(doc.createPair(key, doc.createAlias(route, alias.of)));
  }
  const lines = [
    `Written by edgecheck ${opts.command ?? 'import cloudfront'} from ${opts.source}.`,
    ...(opts.header ?? []),
    ...(imported.config.origin
      ? [
          'Each promise names the configuration field it came from. For signed behaviours, add',
          'signing: (scheme cloudfront, a key of the key group) before running.',
        ]
      : [
          'Each promise names the configuration field it came from. Add origin: (the probe origin) and,',
          'for signed behaviours, signing: (scheme cloudfront, a key of the key group) before running.',
        ]),
    ...(imported.notes.length ? ['', 'Not promised:', ...imported.notes.map((n) => `  - ${n}`)] : []),
    '',
    opts.skipped.length
      ? `Checks that will be skipped (${opts.skipped.length}), and why:`
      : 'No check will be skipped for want of a promise.',
    ...opts.skipped.map((s) => `  - ${s.id}: ${s.reason}`),
  ];
  // short lists (protocols, ALPN, query parameters) read best on one line
  visit(doc, { Seq: (_, seq) => void (seq.flow = true) });
  doc.commentBefore = lines.map((l) => (l ? ` ${l}` : '')).join('\n');
  return doc.toString({ lineWidth: 0 });
}

/** A scalar's comment goes after it on its line; a list's or mapping's above its key. */
function commentOn(doc: Document, path: YamlPath, text: string): void {
  const node = doc.getIn(path, true);
  if (isScalar(node)) {
    node.comment = ` ${text}`;
    return;
  }
  const parent = doc.getIn(path.slice(0, -1), true);
  if (!isMap(parent)) return;
  const pair = (parent.items as Pair[]).find((p) => isScalar(p.key) && p.key.value === path.at(-1));
  if (pair && isScalar(pair.key)) pair.key.commentBefore = ` ${text}`;
}
