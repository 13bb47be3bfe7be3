// `edgecheck validate`: load every configuration file with the loaders `run`
// and `surge` use, and stop there — no DNS, no lab, no connection — so an
// editor, a pre-commit hook or CI can check the files, and an imported
// targets file can be checked before it is used.
import { relative } from 'node:path';
import { parseArgs } from 'node:util';
import {
  listSuiteNames,
  loadSuite,
  loadTargets,
  resolveSuiteFile,
  selectTarget,
  type NamedTarget,
} from '../harness/config/load.js';
import { ConfigError } from '../harness/errors.js';
import { surgeLimits } from '../load/limits.js';
import { loadPlan } from '../load/loadPlan.js';
import { listPlans, resolvePlanFile } from '../load/planFiles.js';
import { labEdges } from '../lab/labs.js';
import { formatConfigError } from './formatError.js';
import { defaultSuitesDir, defaultTargetsFile } from './paths.js';

export const VALIDATE_HELP = `Usage: edgecheck validate [--targets FILE] [--suite NAME|FILE ...] [--plan NAME|FILE ...]
                         [--target NAME]

Loads and checks configuration files without touching the network: no DNS
lookup, no lab start, no request. Prints one line per good file; a bad file
gets the usual file:line:col errors. Every file is checked, even after a bad one.

Options:
  --targets FILE       targets file (default: ./targets.yaml)
  --suite NAME|FILE    a suite from suites/ or a YAML file; repeatable or
                       comma-separated
  --plan NAME|FILE     a surge plan from suites/ or a YAML file; repeatable or
                       comma-separated
  --target NAME        also hold each surge plan to this target's surge limits
                       (allowed, max_rps, max_duration, max_requests)
  --suites-dir DIR     where names are looked up (default: ./suites)
  -h, --help           this help

Without --suite or --plan, every suite and surge plan in the suites folder is
checked; with either, only the files named (and the targets file).

Exit codes: 0 every file is valid; 2 a file is not (or a bad command line).
`;

/** Loads one file, throwing a ConfigError when it is bad; says which file it was and in a few words what it holds. */
type FileCheck = () => { file: string; holds: string };

export async function validateCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      targets: { type: 'string' },
      suite: { type: 'string', multiple: true },
      plan: { type: 'string', multiple: true },
      target: { type: 'string' },
      'suites-dir': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) {
    process.stdout.write(VALIDATE_HELP);
    return 0;
  }
  const suitesDir = values['suites-dir'] ?? defaultSuitesDir();
  const listed = (v: string[] | undefined) => (v ?? []).flatMap((s) => s.split(',')).filter(Boolean);
  const suiteArgs = listed(values.suite);
  const planArgs = listed(values.plan);
  const everything = suiteArgs.length === 0 && planArgs.length === 0;
  const suiteFiles = everything ? listSuiteNames(suitesDir).map((n) => resolveSuiteFile(n, suitesDir)) : [];
  const planFiles = everything ? listPlans(suitesDir).map((p) => p.file) : [];
  const targetsFile = values.targets ?? defaultTargetsFile();
  // the plans' limits are the named target's: a targets file that does not load holds no target to check against
  const limitsOf = (): NamedTarget | undefined =>
    values.target === undefined ? undefined : selectTarget(loadTargets(targetsFile, labEdges), values.target);
  const planCheck =
    (file: string): FileCheck =>
    () => {
      const plan = loadPlan(file);
      const target = limitsOf();
      if (target) surgeLimits(plan, target);
      const within = target ? `, within target ${target.name}'s surge limits` : '';
      const holds = `surge plan ${plan.name}, ${plural(plan.phases.length, 'phase')}, ${plan.durationMs / 1000}s`;
      return { file, holds: `${holds}, peak ${plan.peak}${within}` };
    };
  const checks: FileCheck[] = [
    targetsCheck(targetsFile),
    // a name that is no file in suites/ is a bad command line, reported like the rest
    ...suiteArgs.map((s) => () => suiteCheck(resolveSuiteFile(s, suitesDir))()),
    ...suiteFiles.map(suiteCheck),
    ...planArgs.map((p) => () => planCheck(resolvePlanFile(p, suitesDir))()),
    ...planFiles.map(planCheck),
  ];
  let bad = 0;
  for (const check of checks) {
    try {
      const { file, holds } = check();
      process.stdout.write(`${relative(process.cwd(), file) || file}: ok, ${holds}\n`);
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      bad++;
      process.stderr.write(formatConfigError(err));
    }
  }
  if (bad > 0) process.stderr.write(`edgecheck: ${bad} of ${checks.length} files are not valid\n`);
  return bad > 0 ? 2 : 0;
}

function targetsCheck(file: string): FileCheck {
  return () => {
    const loaded = loadTargets(file, labEdges);
    const names = Object.keys(loaded.targets);
    const byDefault = loaded.default !== undefined ? `, default ${loaded.default}` : '';
    return { file, holds: `${plural(names.length, 'target')} (${names.join(', ')})${byDefault}` };
  };
}

function suiteCheck(file: string): FileCheck {
  return () => {
    const suite = loadSuite(file);
    return { file, holds: `suite ${suite.suite}, ${plural(suite.checks.length, 'check')}` };
  };
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
