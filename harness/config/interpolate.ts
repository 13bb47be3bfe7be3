// ${env:NAME} and ${file:PATH} in any string of a config file. Every value
// interpolated this way is registered as a secret so no report can print it.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { visit } from 'yaml';
import { ConfigError, type ConfigProblem } from '../errors.js';
import { registerSecret } from '../secrets.js';
import { positionAtOffset, type YamlSource } from './yamlSource.js';

const REFERENCE = /\$\{(env|file):([^}]*)\}/g;

export function interpolate(src: YamlSource, env: NodeJS.ProcessEnv = process.env): void {
  const problems: ConfigProblem[] = [];
  visit(src.doc, {
    Scalar(_key, node) {
      if (typeof node.value !== 'string' || !node.value.includes('${')) return;
      node.value = node.value.replace(REFERENCE, (_m, kind: string, name: string) => {
        const value = kind === 'env' ? env[name] : readReferencedFile(src, name);
        if (value === undefined) {
          problems.push({
            message:
              kind === 'env'
                ? `environment variable ${name} is not set`
                : `file ${name} cannot be read (looked for ${resolve(dirname(src.file), name)})`,
            position: positionAtOffset(src, node.range?.[0] ?? 0),
            label: kind === 'env' ? `${name} is not set` : 'no such file, or not readable',
          });
          return '';
        }
        registerSecret(value);
        return value;
      });
    },
  });
  if (problems.length > 0) throw new ConfigError(problems);
}

function readReferencedFile(src: YamlSource, path: string): string | undefined {
  try {
    // a file's final line break is not part of a token (echo and editors add one)
    return readFileSync(resolve(dirname(src.file), path), 'utf8').replace(/\r?\n$/, '');
  } catch {
    return undefined;
  }
}
