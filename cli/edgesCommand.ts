// `edgecheck edges cloudfront`: the edge addresses a distribution's hostname
// resolves to from several resolvers, each with the PoP that answers there,
// as `edges:` lines to paste into a target (so propagation and TLS checks
// cover more than the one PoP near the runner).
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ConfigError, HarnessError } from '../harness/errors.js';
import { HttpClient } from '../harness/http/client.js';
import { surveyEdges, type EdgeCandidate, type EdgeSurvey } from '../import/cloudfront/edgeCandidates.js';
import { parseTimeout } from './flags.js';

export const EDGES_HELP = `Usage: edgecheck edges cloudfront --host HOSTNAME --resolver ADDR [--resolver ADDR ...]
                                [options]

Resolves HOSTNAME (A and AAAA) through each resolver given — CloudFront
answers each with PoPs near it — then sends HEAD / to each address found,
with HOSTNAME as SNI and Host, and reads the PoP it answers from
(X-Amz-Cf-Pop). Prints the addresses that answered as YAML, ready to paste
under a target's edges:, each with its PoP; the others as comments, with why.

Options:
  --host HOSTNAME      the distribution's hostname (d111111abcdef8.cloudfront.net or an alias)
  --resolver ADDR      a DNS server: 1.1.1.1, 8.8.8.8:53, [2001:4860:4860::8888]:53; repeatable
  --port N             the HTTPS port (default 443)
  --ca FILE            trust anchors (PEM) beyond the system store
  --timeout DURATION   for each lookup and each request (default 5s)
  -h, --help           this help

Exit codes: 0 at least one address answered with its PoP; 2 bad command
line; 3 no address answered.
`;

export async function edgesCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      host: { type: 'string' },
      resolver: { type: 'string', multiple: true },
      port: { type: 'string', default: '443' },
      ca: { type: 'string' },
      timeout: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: true,
  });
  if (values.help) {
    process.stdout.write(EDGES_HELP);
    return 0;
  }
  if (positionals[0] !== 'cloudfront' || positionals.length > 1) {
    throw new ConfigError('edges: the one source is cloudfront (edgecheck edges cloudfront --host ... --resolver ...)');
  }
  const host = values.host;
  if (!host || !/^[A-Za-z0-9.-]+$/.test(host)) {
    throw new ConfigError(
      `edges: --host HOSTNAME is required (the distribution's hostname)${host ? `, found '${host}'` : ''}`,
    );
  }
  const resolvers = values.resolver ?? [];
  if (resolvers.length === 0) throw new ConfigError('edges: give at least one --resolver (1.1.1.1, 8.8.8.8, ...)');
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new ConfigError(`--port: expected a port number, found '${values.port}'`);
  }
  const timeoutMs = parseTimeout('--timeout', values.timeout, 5000);
  const client = new HttpClient({ connectTimeoutMs: timeoutMs, ...(values.ca ? { ca: readCa(values.ca) } : {}) });
  try {
    const survey = await surveyEdges({ host, resolvers, port, timeoutMs, client });
    process.stdout.write(edgesYaml(host, resolvers, survey));
    if (!survey.candidates.some((c) => c.pop !== undefined)) {
      throw new HarnessError(`edges: no address of ${host} answered with its PoP (see the comments above)`);
    }
    return 0;
  } finally {
    await client.close();
  }
}

/** The addresses that answered as a YAML list, the PoP beside each; the rest, and failed resolvers, commented. */
export function edgesYaml(host: string, resolvers: string[], survey: EdgeSurvey): string {
  const byPop = (a: EdgeCandidate, b: EdgeCandidate) =>
    (a.pop ?? '').localeCompare(b.pop ?? '') || a.address.localeCompare(b.address);
  const answered = survey.candidates.filter((c) => c.pop !== undefined).sort(byPop);
  const silent = survey.candidates.filter((c) => c.pop === undefined).sort(byPop);
  const pops = new Set(answered.map((c) => c.pop));
  const from = (c: EdgeCandidate) =>
    c.resolvers.length === resolvers.length ? 'every resolver' : c.resolvers.join(', ');
  const lines = [
    `# ${host} from ${resolvers.join(', ')}: ${answered.length} addresses answered, ${pops.size} PoPs`,
    ...survey.failures.map((f) => `# resolver ${f.resolver}: ${f.error}`),
    'edges:',
    ...answered.map((c) => `  - ${quoted(c.address)} # ${c.pop} (from ${from(c)})`),
    ...silent.map((c) => `  # - ${quoted(c.address)} no PoP: ${c.error} (from ${from(c)})`),
  ];
  return lines.join('\n') + '\n';
}

/** An IPv6 address holds colons: quoted, YAML reads it as the string it is. */
function quoted(address: string): string {
  return address.includes(':') ? `'${address}'` : address;
}

function readCa(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    throw new ConfigError(`--ca: cannot read ${file}`);
  }
}
