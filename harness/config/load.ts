// Loading targets.yaml and suite files: read, interpolate, validate. Everything
// after this point may trust the config it is given.
import { existsSync, readdirSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { ConfigError } from '../errors.js';
import { didYouMean } from './didYouMean.js';
import { interpolate } from './interpolate.js';
import { suiteSchema, type Suite } from './suiteSchema.js';
import type { LabCatalogue } from '../target/lab.js';
import { targetsFileSchemaFor, type TargetConfig } from './targetsSchema.js';
import { validate } from './validate.js';
import { plainData, positionOf, readYamlFile } from './yamlSource.js';

export interface LoadedTargets {
  file: string;
  default?: string;
  targets: Record<string, TargetConfig>;
}

export interface NamedTarget {
  name: string;
  config: TargetConfig;
  /** the targets file, so relative paths in it resolve beside it */
  file: string;
}

export interface LoadedSuite extends Suite {
  file: string;
}

/** `labs`: the lab edges `lab:` may name, with their fault switches (the cli hands in lab/labs.ts). */
export function loadTargets(file: string, labs: LabCatalogue, env: NodeJS.ProcessEnv = process.env): LoadedTargets {
  const src = readYamlFile(file);
  interpolate(src, env);
  const parsed = validate(src, targetsFileSchemaFor(labs), plainData(src));
  // no prototype: `--target constructor` is no target
  const targets = Object.assign(Object.create(null) as typeof parsed.targets, parsed.targets);
  if (parsed.default !== undefined && !(parsed.default in targets)) {
    const suggestion = didYouMean(parsed.default, Object.keys(parsed.targets));
    throw new ConfigError([
      {
        message: `default: no target named '${parsed.default}'${suggestion}`,
        position: positionOf(src, ['default']),
        label: 'no such target',
        allowed: Object.keys(parsed.targets).join(', '),
      },
    ]);
  }
  return { file, default: parsed.default, targets };
}

export function selectTarget(loaded: LoadedTargets, name: string | undefined): NamedTarget {
  const names = Object.keys(loaded.targets);
  const chosen = name ?? loaded.default ?? (names.length === 1 ? names[0] : undefined);
  if (chosen === undefined) {
    const choose = `choose one with --target (${names.join(', ')})`;
    throw new ConfigError(`${loaded.file}: several targets and no default; ${choose}`);
  }
  const config = loaded.targets[chosen];
  if (!config) {
    throw new ConfigError(
      `--target ${chosen}: no such target in ${loaded.file}${didYouMean(chosen, names)}; targets: ${names.join(', ')}`,
    );
  }
  return { name: chosen, config, file: loaded.file };
}

export function loadSuite(file: string, env: NodeJS.ProcessEnv = process.env): LoadedSuite {
  const src = readYamlFile(file);
  interpolate(src, env);
  const suite = validate(src, suiteSchema, plainData(src));
  const seen = new Map<string, number>();
  suite.checks.forEach((check, i) => {
    if (seen.has(check.id)) {
      const first = `checks[${seen.get(check.id)}]`;
      throw new ConfigError([
        {
          message:
            `checks[${i}].id: '${check.id}' is already the id of ${first}; ` +
            "ids name the check's URL path and must be unique",
          position: positionOf(src, ['checks', i, 'id']),
          label: `already the id of ${first}`,
        },
      ]);
    }
    seen.set(check.id, i);
  });
  return { ...suite, file };
}

/** `--suite caching` names suites/caching.yaml; anything with a slash or .yaml is a path. */
export function resolveSuiteFile(nameOrPath: string, suitesDir: string): string {
  if (nameOrPath.includes('/') || /\.ya?ml$/.test(nameOrPath)) return resolve(nameOrPath);
  const file = join(suitesDir, `${nameOrPath}.yaml`);
  if (existsSync(file)) return file;
  const names = listSuiteNames(suitesDir);
  const suggestion = didYouMean(nameOrPath, names);
  const known = `suites: ${names.join(', ')}`;
  throw new ConfigError(`--suite ${nameOrPath}: no such suite in ${suitesDir}${suggestion}; ${known}`);
}

/** The conformance suites in a suites folder, by name; surge plans beside them are not suites. */
export function listSuiteNames(suitesDir: string): string[] {
  return yamlFilesIn(suitesDir)
    .filter((f) => !isSurgePlanFile(join(suitesDir, f)))
    .map((f) => basename(f, '.yaml'));
}

/** The surge plans in a suites folder, as paths. */
export function listSurgePlanFiles(suitesDir: string): string[] {
  return yamlFilesIn(suitesDir)
    .map((f) => join(suitesDir, f))
    .filter(isSurgePlanFile);
}

/**
 * A file is a surge plan when its top level names one with `surge:`
 * (README.md "Surges"); a suite names itself with `suite:`.
 * A file that does not parse counts as a suite, so loading it reports why.
 */
export function isSurgePlanFile(file: string): boolean {
  try {
    return readYamlFile(file).doc.has('surge');
  } catch {
    return false;
  }
}

function yamlFilesIn(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort();
}
