// `edgecheck sign`: a URL (or cookies) signed the way the target's `signing:`
// block says, for trying a private path by hand with curl.
import { parseArgs } from 'node:util';
import { DURATION_HELP, parseDuration } from '../harness/config/duration.js';
import { loadTargets, selectTarget } from '../harness/config/load.js';
import { ConfigError } from '../harness/errors.js';
import { openSigning } from '../harness/signing/index.js';
import { labEdges } from '../lab/labs.js';
import { defaultTargetsFile } from './paths.js';

export const SIGN_HELP = `Usage: edgecheck sign [options] PATH

Prints PATH on the target, signed with the target's signing: block (a signed
URL, or with --cookie the cookies and the URL to send them to).

Options:
  --target NAME        target from targets.yaml (default: its 'default')
  --targets FILE       targets file (default: ./targets.yaml)
  --route NAME         the route whose path prefixes PATH (default: none)
  --expires DURATION   valid until this long from now (default 5m; -5s gives an expired one)
  --not-before DURATION  not valid before now plus this (e.g. +1m, -1m)
  --ip ADDR[/BITS]     only for viewers from this address or block
  --cookie             signed cookies instead of a signed URL
  -h, --help           this help
`;

export async function signCommand(argv: string[], out: NodeJS.WritableStream = process.stdout): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      target: { type: 'string' },
      targets: { type: 'string' },
      route: { type: 'string' },
      expires: { type: 'string' },
      'not-before': { type: 'string' },
      ip: { type: 'string' },
      cookie: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: true,
  });
  if (values.help) {
    out.write(SIGN_HELP);
    return 0;
  }
  const [path, ...extra] = positionals;
  if (path === undefined || !path.startsWith('/') || extra.length > 0) {
    throw new ConfigError('sign: expected one PATH starting with / (edgecheck sign --help)');
  }
  const named = selectTarget(loadTargets(values.targets ?? defaultTargetsFile(), labEdges), values.target);
  const { config } = named;
  if (!config.signing) throw new ConfigError(`sign: target '${named.name}' declares no signing: block`);
  if (!config.url) throw new ConfigError(`sign: target '${named.name}' is a lab; sign works on a url: target`);
  const signing = openSigning(config.signing);
  const url = new URL(config.url);
  const route = values.route === undefined ? undefined : config.routes?.[values.route];
  if (values.route !== undefined && route === undefined) {
    throw new ConfigError(`sign: --route ${values.route}: target '${named.name}' declares no such route`);
  }
  const prefix = route === undefined ? '' : (typeof route === 'string' ? route : route.path).replace(/\/$/, '');
  url.pathname = prefix + path;
  const now = Date.now();
  const notBefore =
    values['not-before'] === undefined ? undefined : new Date(now + offset('--not-before', values['not-before']));
  if (values.cookie && !signing.supports.cookie) throw new ConfigError(`sign: scheme ${signing.name} has no cookies`);
  const signed = signing.signer.sign({
    url,
    expiresAt: new Date(now + offset('--expires', values.expires ?? '5m')),
    ...(notBefore ? { notBefore } : {}),
    ...(values.ip ? { ip: values.ip } : {}),
    ...(values.cookie ? { cookie: true } : {}),
  });
  const cookies = Object.entries(signed.cookies ?? {});
  if (cookies.length) out.write(`Cookie: ${cookies.map(([k, v]) => `${k}=${v}`).join('; ')}\n`);
  out.write(`${signed.url.href}\n`);
  return 0;
}

/** A duration from now, signed: `5m`, `+1m`, `-5s`. */
function offset(flag: string, text: string): number {
  const sign = text.startsWith('-') ? -1 : 1;
  const ms = parseDuration(text.replace(/^[+-]/, ''));
  if (ms === undefined)
    throw new ConfigError(`${flag}: expected ${DURATION_HELP}, optionally with + or -, found '${text}'`);
  return sign * ms;
}
