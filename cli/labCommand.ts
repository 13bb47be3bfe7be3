// `edgecheck lab list` and `edgecheck lab up <name>`: which lab edges this
// machine can start, and one of them in the foreground to poke at by hand.
import { REFERENCE_EDGE_FAULTS } from '../lab/referenceEdge/faults.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, HarnessError } from '../harness/errors.js';
import type { LabInstance } from '../harness/target/lab.js';
import { LAB_NAMES } from '../lab/labs.js';
import {
  aptGetLine,
  missingBinaries,
  REAL_EDGE_NAMES,
  realEdges,
  startRealLab,
  type RealLab,
} from '../lab/realEdges/index.js';
import { startReferenceLab } from '../lab/referenceLab.js';

export const LAB_HELP = `Usage: edgecheck lab list
       edgecheck lab up <name>

  list      the lab edges, whether each can start here, and what each cannot do
  up NAME   start one lab edge and its probe origin on loopback, print its URLs,
            and keep it running until Ctrl-C (NAME: ${LAB_NAMES.join(', ')})

A target in targets.yaml runs the same edge with \`lab: NAME\`.
`;

export async function labCommand(argv: string[], out: NodeJS.WritableStream = process.stdout): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { help: { type: 'boolean', short: 'h' } },
    strict: true,
    allowPositionals: true,
  });
  const [sub, name, ...extra] = positionals;
  if (values.help || sub === undefined) {
    out.write(LAB_HELP);
    return values.help ? 0 : 2;
  }
  if (sub === 'list' && name === undefined) {
    out.write(labList());
    return 0;
  }
  if (sub === 'up' && name !== undefined && extra.length === 0) return labUp(name, out);
  throw new ConfigError(
    `lab: expected \`lab list\` or \`lab up <name>\`, found \`lab ${positionals.join(' ')}\` (edgecheck lab --help)`,
  );
}

function labList(): string {
  const rows = [`reference      built in     the embedded CloudFront-like reference edge (lab: reference)`];
  for (const [fault, what] of Object.entries(REFERENCE_EDGE_FAULTS))
    rows.push(`${''.padEnd(28)}fault ${fault}: ${what}`);
  for (const name of REAL_EDGE_NAMES) {
    const edge = realEdges[name];
    const missing = missingBinaries(edge);
    const state = missing.length === 0 ? 'installed' : 'missing';
    rows.push(`${name.padEnd(14)} ${state.padEnd(12)} ${edge.title}`);
    if (missing.length > 0) rows.push(`${''.padEnd(28)}install: ${aptGetLine(edge)}`);
    for (const limit of edge.limits) rows.push(`${''.padEnd(28)}cannot: ${limit}`);
    for (const [fault, what] of Object.entries(edge.faults ?? {})) rows.push(`${''.padEnd(28)}fault ${fault}: ${what}`);
  }
  return rows.join('\n') + '\n';
}

async function labUp(name: string, out: NodeJS.WritableStream): Promise<number> {
  if (!(LAB_NAMES as readonly string[]).includes(name)) {
    throw new ConfigError(`lab up: no lab edge named '${name}'; lab edges: ${LAB_NAMES.join(', ')}`);
  }
  let lab: LabInstance | RealLab;
  try {
    lab =
      name === 'reference' ? await startReferenceLab() : await startRealLab(realEdges[name as keyof typeof realEdges]);
  } catch (err) {
    throw new HarnessError(`the ${name} lab could not start: ${(err as Error).message}`);
  }
  // the CA lives beside the command, not the lab, so curl can trust it for as long as the lab runs
  const caDir = mkdtempSync(join(tmpdir(), 'edgecheck-lab-up-'));
  try {
    const caFile = join(caDir, 'ca.pem');
    writeFileSync(caFile, lab.caPem);
    out.write(describe(name, lab, caFile));
    await new Promise<void>((resolve) => {
      process.once('SIGINT', () => resolve());
      process.once('SIGTERM', () => resolve());
    });
    out.write(`\nedgecheck lab: stopping ${name}\n`);
  } finally {
    await lab.close();
    rmSync(caDir, { recursive: true, force: true });
  }
  return 0;
}

function describe(name: string, lab: LabInstance | RealLab, caFile: string): string {
  const url = new URL(lab.url);
  const host = url.hostname;
  const resolve = `--resolve ${host}:${url.port}:${lab.addresses[0] ?? '127.0.0.1'}`;
  const real = 'processes' in lab ? lab : undefined;
  const lines = [
    `edgecheck lab: ${name} is up${real ? ` (${real.edge.title})` : ''}; Ctrl-C stops it`,
    `  url      ${lab.url}`,
    `  http     ${lab.httpUrl}`,
    `  hosts    ${lab.hostnames.join(', ')} -> ${lab.addresses.join(', ')} (not in DNS: use --resolve)`,
    `  ca       ${caFile}`,
    `  origin   ${lab.origin.control}`,
    `  token    ${lab.origin.token}`,
    `  routes   ${Object.entries(lab.routes)
      .map(([route, r]) => `${route} ${r.path}`)
      .join(', ')}`,
    `  cache    ${lab.cacheStatus} (cache-status dialect)`,
  ];
  if (real) {
    lines.push(`  config   ${real.dir}`);
    lines.push(`  pids     ${real.processes.map((p) => `${p.name} ${p.pid}`).join(', ')}`);
    for (const way of real.purges)
      lines.push(`  ${way.method === 'GET' ? 'refresh ' : 'purge   '} ${way.description} (from 127.0.0.1)`);
    for (const note of real.notes) lines.push(`  ${note}`);
  }
  const key = '/.edgecheck/manual/try/';
  lines.push(
    '',
    'Program an object on the probe origin, then fetch it twice through the edge:',
    `  curl -X PUT -H 'authorization: Bearer ${lab.origin.token}' ${lab.origin.control}/v1/objects \\`,
    `       -d '{"key":"${key}","object":{"headers":{"Cache-Control":"max-age=60"},"body":"hello"}}'`,
    `  curl -si --cacert ${caFile} ${resolve} ${lab.url}${key}`,
    '',
  );
  return lines.join('\n');
}
