// Where edgecheck finds its files: the user's directory first, then the
// package's own (so `npx edgecheck` works in an empty directory too).
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** the package root: dist/cli/paths.js -> ../.. */
export const packageRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export function defaultSuitesDir(cwd = process.cwd()): string {
  const local = join(cwd, 'suites');
  return existsSync(local) ? local : join(packageRoot, 'suites');
}

export function defaultTargetsFile(cwd = process.cwd()): string {
  const local = join(cwd, 'targets.yaml');
  return existsSync(local) ? local : join(packageRoot, 'targets.yaml');
}
