// The temp directory a real edge runs in: its configuration, certificates,
// cache, pid file and logs all live here and go away with it.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LabCertificates } from '../labCertificates.js';

export interface EdgeCertificateFiles {
  /** the leaf followed by its chain */
  certFile: string;
  keyFile: string;
  /** key, leaf and chain in one file, as hitch wants it */
  pemFile: string;
}

export interface LabDir {
  dir: string;
  /** the lab CA the edge verifies the origin against */
  caFile: string;
  /** per edge hostname, the certificate it presents */
  edge: Record<string, EdgeCertificateFiles>;
  /** a path inside the lab dir; directories are made as needed */
  path(...parts: string[]): string;
  /** writes a file into the lab dir and returns its path */
  write(name: string, text: string): string;
  remove(): void;
}

/** Lab dirs not yet removed: an edgecheck that exits before close() still takes them along. */
const live = new Set<string>();
let exitHookInstalled = false;

function removeOnExit(dir: string): void {
  live.add(dir);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const d of live) rmSync(d, { recursive: true, force: true });
  });
}

export function makeLabDir(program: string, certs: LabCertificates): LabDir {
  const dir = mkdtempSync(join(tmpdir(), `edgecheck-${program}-`));
  removeOnExit(dir);
  const path = (...parts: string[]) => join(dir, ...parts);
  const write = (name: string, text: string) => {
    const file = path(name);
    writeFileSync(file, text, { mode: 0o600 });
    return file;
  };
  mkdirSync(path('tls'));
  const caFile = write('tls/ca.pem', certs.ca.certPem);
  const edge: Record<string, EdgeCertificateFiles> = {};
  for (const [host, cert] of Object.entries(certs.edge)) {
    edge[host] = {
      certFile: write(`tls/${host}.crt`, cert.certPem + cert.chainPem),
      keyFile: write(`tls/${host}.key`, cert.keyPem),
      pemFile: write(`tls/${host}.pem`, cert.keyPem + cert.certPem + cert.chainPem),
    };
  }
  const remove = () => {
    rmSync(dir, { recursive: true, force: true });
    live.delete(dir);
  };
  return { dir, caFile, edge, path, write, remove };
}
