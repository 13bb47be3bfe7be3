// Loading a surge plan: read with positions, interpolate ${env:}/${file:},
// validate the shape, then the rules that need the whole plan (model, rates,
// peaks, bees) — every problem as file:line:col, exit 2.
import { availableParallelism } from 'node:os';
import { parseDuration } from '../harness/config/duration.js';
import { interpolate } from '../harness/config/interpolate.js';
import { validate, yamlPathText } from '../harness/config/validate.js';
import { plainData, positionOf, readYamlFile, type YamlPath, type YamlSource } from '../harness/config/yamlSource.js';
import { ConfigError, type ConfigProblem } from '../harness/errors.js';
import type { PhaseKind, SurgeModel, SurgeProtocol, ThresholdName } from '../harness/surgeRecord.js';
import type { Limit, PlanPath, PlanPhase, SurgePlan } from './plan.js';
import { defaultOpenVisits, loadVisit } from './loadVisit.js';
import { planSchema, type PhaseEntry, type PlanFile, type ThresholdsEntry } from './planSchema.js';

const DEFAULT_OBJECT = { headers: { 'Cache-Control': 'max-age=60' }, body: 'edgecheck surge\n' };
const DEFAULT_TIMEOUT_MS = 10_000;
const MAX_DEFAULT_BEES = 4;
/** open model default pool: one connection per 10 planned rps leaves headroom for ~100 ms responses */
const RPS_PER_DEFAULT_CONNECTION = 10;
const MAX_DEFAULT_CONNECTIONS = 1000;
/** h2: concurrent streams per connection unless the plan says */
const DEFAULT_STREAMS = 10;
/** what a phase counts, by model */
const UNIT = { open: 'rps', closed: 'connections', visitors: 'visitors' } as const;
const PROTOCOLS: SurgeProtocol[] = ['h1', 'h2'];

export function loadPlan(file: string, env: NodeJS.ProcessEnv = process.env): SurgePlan {
  const src = readYamlFile(file);
  interpolate(src, env);
  return planFromSource(src, validate(src, planSchema, plainData(src)));
}

function planFromSource(src: YamlSource, raw: PlanFile): SurgePlan {
  const problems: ConfigProblem[] = [];
  const at = (path: YamlPath) => positionOf(src, path);
  const fail = (path: YamlPath, message: string) =>
    problems.push({ message: `${yamlPathText(path)}: ${message}`, position: at(path) });
  const model = raw.model ?? 'open';
  const unit = UNIT[model];

  const level = (value: number | string, path: YamlPath): number => {
    if (typeof value === 'number') {
      if (model === 'closed' && !Number.isInteger(value))
        fail(path, `a closed-model plan counts connections: expected a whole number, found ${value}`);
      return value;
    }
    if (model === 'closed')
      fail(path, `a closed-model plan counts connections; "${value}" is a multiple of baseline_rps`);
    else if (model === 'visitors')
      fail(path, `a visitors plan counts new visitors per second; "${value}" is a multiple of baseline_rps`);
    else if (raw.baseline_rps === undefined)
      fail(path, `"${value}" is a multiple of baseline_rps, but the plan sets no baseline_rps`);
    return parseFloat(value) * (raw.baseline_rps ?? 0);
  };
  const ms = (value: number | string, path: YamlPath): number => {
    const v = parseDuration(value) ?? 0;
    if (v <= 0) fail(path, 'expected a duration longer than 0');
    return v;
  };

  const planThresholds = limits(raw.thresholds, ['thresholds'], fail);
  const phases: PlanPhase[] = [];
  let current = 0;
  let startMs = 0;
  raw.phases.forEach((entry, i) => {
    const { kind, from, to, durationMs } = phaseLevels(entry, i, current, { model, level, ms, fail });
    const overrides = limits(entry.thresholds, ['phases', i, 'thresholds'], fail);
    const thresholds = [...planThresholds.filter((l) => !overrides.some((o) => o.name === l.name)), ...overrides];
    phases.push({
      index: i,
      kind,
      from,
      to,
      startMs,
      durationMs,
      label: label(kind, from, to, durationMs, unit),
      thresholds,
    });
    current = to;
    startMs += durationMs;
  });
  for (const [i, phase] of phases.entries()) {
    if (model !== 'open' && phase.thresholds.some((l) => l.name === 'min_rps' && l.relative)) {
      fail(
        ['phases', i],
        'min_rps as a percentage needs a planned rate; ' +
          `a ${model}-model plan plans ${unit} — give min_rps in requests per second`,
      );
    }
  }

  const peak = Math.max(...phases.map((p) => Math.max(p.from, p.to)));
  if (peak <= 0 && problems.length === 0) fail(['phases'], `the phases never rise above 0 ${unit}`);
  if (raw.target_rps !== undefined && model === 'open' && Math.abs(raw.target_rps - peak) > 1e-9) {
    fail(['target_rps'], `target_rps is ${raw.target_rps} but the phases peak at ${peak} rps`);
  }
  if (raw.target_rps !== undefined && model !== 'open')
    fail(['target_rps'], `a ${model}-model plan counts ${unit}; target_rps applies to open-model plans`);
  if (raw.connections !== undefined && model === 'closed')
    fail(['connections'], 'a closed-model plan gives its connections in the phases');
  if (raw.visit !== undefined && model !== 'visitors')
    fail(['visit'], `a visit belongs to a visitors-model plan; this plan is ${model}-model (model: visitors)`);
  const visit = model === 'visitors' ? loadVisit(raw.visit, fail) : undefined;
  const protocol = raw.protocol ?? 'h1';
  const pathProtocol = (p: PlanFile['paths'][number]) => (typeof p === 'string' ? undefined : p.protocol);
  const protocols = PROTOCOLS.filter((want) => raw.paths.some((p) => (pathProtocol(p) ?? protocol) === want));
  if (raw.streams !== undefined && (!protocols.includes('h2') || model === 'visitors'))
    fail(
      ['streams'],
      model === 'visitors'
        ? "a visit's requests follow one another on its own connection; streams apply to open and closed plans"
        : 'concurrent streams per connection need protocol h2',
    );

  const bees = beesFor(raw, model, peak, protocols.length, fail);
  const connections =
    model === 'closed'
      ? peak
      : (raw.connections ??
        (visit
          ? Math.max(bees, defaultOpenVisits(visit, peak))
          : clamp(Math.ceil(peak / RPS_PER_DEFAULT_CONNECTION), bees, MAX_DEFAULT_CONNECTIONS)));
  if (model !== 'closed' && connections < bees)
    fail(['connections'], `${connections} connections cannot be shared by ${bees} bees; give each bee at least one`);

  const paths: PlanPath[] = raw.paths.map((p) =>
    typeof p === 'string'
      ? { path: p, weight: 1, headers: {}, object: raw.object ?? DEFAULT_OBJECT, protocol }
      : {
          path: p.path,
          weight: p.weight ?? 1,
          headers: stringHeaders(p.headers),
          object: p.object ?? raw.object ?? DEFAULT_OBJECT,
          protocol: p.protocol ?? protocol,
        },
  );
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    name: raw.surge,
    ...(raw.title !== undefined ? { title: raw.title } : {}),
    file: src.file,
    model,
    protocol,
    protocols,
    streams: raw.streams ?? DEFAULT_STREAMS,
    ...(visit ? { visit } : {}),
    phases,
    paths,
    headers: stringHeaders(raw.headers),
    route: raw.route ?? 'default',
    bees,
    connections,
    timeoutMs: raw.timeout !== undefined ? (parseDuration(raw.timeout) ?? DEFAULT_TIMEOUT_MS) : DEFAULT_TIMEOUT_MS,
    prime: raw.prime ?? false,
    thresholds: planThresholds,
    durationMs: startMs,
    peak,
    where: (path) => positionOf(src, path),
  };
}

interface LevelTools {
  model: SurgeModel;
  level(value: number | string, path: YamlPath): number;
  ms(value: number | string, path: YamlPath): number;
  fail(path: YamlPath, message: string): void;
}

function phaseLevels(
  entry: PhaseEntry,
  i: number,
  current: number,
  t: LevelTools,
): { kind: PhaseKind; from: number; to: number; durationMs: number } {
  if ('ramp' in entry) {
    const from = entry.ramp.from !== undefined ? t.level(entry.ramp.from, ['phases', i, 'ramp', 'from']) : current;
    return {
      kind: 'ramp',
      from,
      to: t.level(entry.ramp.to, ['phases', i, 'ramp', 'to']),
      durationMs: t.ms(entry.ramp.over, ['phases', i, 'ramp', 'over']),
    };
  }
  const kind = 'hold' in entry ? 'hold' : 'spike';
  const body = 'hold' in entry ? entry.hold : entry.spike;
  const wanted = UNIT[t.model];
  for (const other of Object.values(UNIT))
    if (other !== wanted && body[other] !== undefined)
      t.fail(['phases', i, kind, other], `a ${t.model}-model plan gives phases in ${wanted}, not ${other}`);
  const given = body[wanted];
  if (given === undefined && kind === 'spike') t.fail(['phases', i, kind], `a spike jumps to a level: give ${wanted}`);
  const to = given !== undefined ? t.level(given, ['phases', i, kind, wanted]) : current;
  return { kind, from: to, to, durationMs: t.ms(body.for, ['phases', i, kind, 'for']) };
}

const LATENCY: ThresholdName[] = ['p50', 'p95', 'p99', 'p99.9'];

function limits(
  entry: ThresholdsEntry | undefined,
  at: YamlPath,
  fail: (path: YamlPath, message: string) => void,
): Limit[] {
  const out: Limit[] = [];
  for (const [name, value] of Object.entries(entry ?? {}) as Array<[ThresholdName, number | string | undefined]>) {
    if (value === undefined) continue;
    const text = String(value);
    if (LATENCY.includes(name)) {
      out.push({ name, text: typeof value === 'number' ? `${value}s` : text, value: parseDuration(value) ?? 0 });
    } else if (name === 'errors' || name === 'cache_hit_ratio') {
      out.push({ name, text, value: typeof value === 'number' ? value : parseFloat(value) / 100 });
      if (typeof value === 'string' && parseFloat(value) > 100) fail([...at, name], `${value} is more than 100%`);
    } else if (name === 'min_rps' && typeof value === 'string') {
      out.push({ name, text, value: parseFloat(value) / 100, relative: true });
    } else {
      out.push({ name, text, value: Number(value) });
    }
  }
  return out;
}

function beesFor(
  raw: PlanFile,
  model: SurgeModel,
  peak: number,
  protocols: number,
  fail: (path: YamlPath, message: string) => void,
): number {
  const poolMax = model === 'closed' ? peak : (raw.connections ?? Infinity);
  // a bee speaks one protocol: paths over h1 and h2 need a bee for each
  if (raw.bees === undefined) return Math.max(protocols, Math.min(MAX_DEFAULT_BEES, availableParallelism(), poolMax));
  if (raw.bees < protocols)
    fail(['bees'], `the paths go over h1 and h2, and a bee speaks one: give at least ${protocols} bees`);
  else if (model === 'closed' && raw.bees > peak)
    fail(['bees'], `${raw.bees} bees but the phases peak at ${peak} connections; give each bee at least one`);
  return raw.bees;
}

function label(kind: PhaseKind, from: number, to: number, durationMs: number, unit: string): string {
  const over = formatSeconds(durationMs);
  if (kind === 'ramp') return `ramp ${round(from)} -> ${round(to)} ${unit} over ${over}`;
  return `${kind} ${round(to)} ${unit} for ${over}`;
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

function clamp(n: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, n));
}

function stringHeaders(headers: Record<string, string | number> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers ?? {})) out[k.toLowerCase()] = String(v);
  return out;
}
