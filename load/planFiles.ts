// Where `--plan NAME` is found: a file path, suites/NAME.yaml, or the
// suites/ file whose `surge:` key is NAME.
import { existsSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { didYouMean } from '../harness/config/didYouMean.js';
import { listSurgePlanFiles } from '../harness/config/load.js';
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
  const suggestion = didYouMean(nameOrPath, names);
  throw new ConfigError(
    `--plan ${nameOrPath}: no such surge plan in ${suitesDir}${suggestion}; plans: ${names.join(', ') || 'none'}`,
  );
}

/** The surge plans in suites/ (the files with a top-level `surge:`), by the name that key gives. */
export function listPlans(suitesDir: string): Array<{ name: string; file: string }> {
  return listSurgePlanFiles(suitesDir).map((file) => {
    const name = readYamlFile(file).doc.get('surge');
    return { name: typeof name === 'string' ? name : basename(file), file };
  });
}
