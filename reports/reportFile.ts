// The one way a file lands in the output directory (every file reporter, the k6
// export): whole or not at all, so CI never reads a half-written run.json or junit.xml.
import { randomBytes } from 'node:crypto';
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Writes content to outDir/name through a temp file and a rename; returns the file's path. */
export function writeReportFile(outDir: string, name: string, content: string): string {
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, name);
  // beside the file, so the rename stays on one file system and replaces it in one step
  const temp = join(outDir, `.${name}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    writeFileSync(temp, content);
    renameSync(temp, file);
  } catch (err) {
    rmSync(temp, { force: true });
    throw err;
  }
  return file;
}
