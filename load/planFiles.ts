// Where `--plan NAME` is found: a file path, suites/NAME.yaml, or the
// suites/surge*.yaml file whose `surge:` key is NAME.
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { didYouMean } from '../harness/config/didYouMean.js';
import { readYamlFile } from '../harness/config/yamlSource.js';
import { ConfigError } from '../harness/errors.js';

export function resolvePlanFile(nameOrPath: string, suitesDir: string): string {
  if (nameOrPath.includes('/') || /\.ya?ml$/.test(nameOrPath)) return resolve(nameOrPath);
  const direct = join(suitesDir, `${nameOrPath}.yaml`);
  if (existsSync(direct)) return direct;
  const plans = listPlans(suitesDir);
  const named = plans.find((p) => p.name === nameOrPath);
  if (named) return named.file;
  const names = plans.map((p) => p.name);
  throw new ConfigError(`--plan ${nameOrPath}: no such surge plan in ${suitesDir}${didYouMean(nameOrPath, names)}; plans: ${names.join(', ') || 'none'}`);
}

/** Surge plans are the suites/ files named surge*.yaml. */
export function listPlans(suitesDir: string): Array<{ name: string; file: string }> {
  if (!existsSync(suitesDir)) return [];
  return readdirSync(suitesDir)
    .filter((f) => f.startsWith('surge') && f.endsWith('.yaml'))
    .sort()
    .map((f) => {
      const file = join(suitesDir, f);
      const name = readYamlFile(file).doc.get('surge');
      return { name: typeof name === 'string' ? name : f, file };
    });
}
