// `edgecheck origin`: the probe origin standalone, to deploy as the origin of a
// staging distribution. The harness then programs it and reads its log through
// the control channel (targets.yaml origin.control / origin.token).
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ConfigError } from '../harness/errors.js';
import { registerSecret } from '../harness/secrets.js';
import {
  makeLabCertificates,
  ORIGIN_CERT_FAULTS,
  type OriginCertFault,
  type ServedCertificate,
} from '../lab/labCertificates.js';
import { startProbeOrigin } from '../lab/probeOrigin/probeOrigin.js';

export const ORIGIN_HELP = `Usage: edgecheck origin [options]

Runs the probe origin in the foreground until Ctrl-C. Put it behind your CDN
as the origin of a staging distribution; point targets.yaml at its control
channel. The token is read from an environment variable, never a flag.

Options:
  --host ADDR            address to listen on (default 127.0.0.1)
  --port N               plain HTTP origin port (default 8080)
  --secondary-port N     second HTTP listener, the failover origin of an origin group (default 8081)
  --control-port N       control channel port (default 9443)
  --control-host ADDR    address of the control channel (default: --host); without
                         --control-cert it must be loopback, or the origin refuses to start
  --token-env NAME       environment variable holding the control token
                         (default EDGECHECK_ORIGIN_TOKEN; required)
  --control-cert FILE    serve the control channel over HTTPS with this
  --control-key FILE     certificate and key (recommended beyond loopback)
  --tls FAULT=PORT:CERT:KEY
                         an HTTPS origin listener presenting CERT; FAULT names it
                         for origin-tls routes (${ORIGIN_CERT_FAULTS.join(', ')}); repeatable
  --lab-tls PORT         HTTPS listeners from PORT upward for every fault not given
                         with --tls, with certificates from a fresh lab CA
  -h, --help             this help
`;

export async function originCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: '8080' },
      'secondary-port': { type: 'string', default: '8081' },
      'control-port': { type: 'string', default: '9443' },
      'control-host': { type: 'string' },
      'token-env': { type: 'string', default: 'EDGECHECK_ORIGIN_TOKEN' },
      'control-cert': { type: 'string' },
      'control-key': { type: 'string' },
      tls: { type: 'string', multiple: true },
      'lab-tls': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(ORIGIN_HELP);
    return 0;
  }
  const tokenEnv = values['token-env']!;
  const token = process.env[tokenEnv];
  if (!token)
    throw new ConfigError(`origin: environment variable ${tokenEnv} is not set; it holds the control channel's token`);
  registerSecret(token);

  const certificates: Partial<Record<OriginCertFault, ServedCertificate>> = {};
  const tlsPorts: Partial<Record<OriginCertFault, number>> = {};
  for (const spec of values.tls ?? []) {
    const m = /^([a-z-]+)=(\d+):([^:]+):(.+)$/.exec(spec);
    const fault = m?.[1] as OriginCertFault | undefined;
    if (!m || !fault || !ORIGIN_CERT_FAULTS.includes(fault)) {
      throw new ConfigError([
        {
          message: `--tls ${spec}: expected FAULT=PORT:CERT:KEY`,
          allowed: `FAULT is one of ${ORIGIN_CERT_FAULTS.join(', ')}`,
        },
      ]);
    }
    certificates[fault] = { certPem: readPem(m[3]!), keyPem: readPem(m[4]!), chainPem: '' };
    tlsPorts[fault] = port(`--tls ${fault}`, m[2]!);
  }
  if (values['lab-tls'] !== undefined) {
    let next = port('--lab-tls', values['lab-tls']);
    const lab = await makeLabCertificates();
    for (const fault of ORIGIN_CERT_FAULTS) {
      if (certificates[fault]) continue;
      certificates[fault] = lab.origin[fault];
      // port 0: any free port for each
      tlsPorts[fault] = next === 0 ? 0 : next++;
    }
  }
  if (Boolean(values['control-cert']) !== Boolean(values['control-key'])) {
    // never fall back to plain HTTP (and a bearer token in clear) when HTTPS was asked for
    throw new ConfigError(
      'origin: --control-cert and --control-key go together (the control channel is HTTPS only with both)',
    );
  }
  const controlCertificate =
    values['control-cert'] && values['control-key']
      ? { certPem: readPem(values['control-cert']), keyPem: readPem(values['control-key']), chainPem: '' }
      : undefined;

  const origin = await startProbeOrigin({
    host: values.host!,
    token,
    certificates,
    tlsPorts,
    httpPort: port('--port', values.port!),
    secondaryPort: port('--secondary-port', values['secondary-port']!),
    controlPort: port('--control-port', values['control-port']!),
    ...(values['control-host'] ? { controlHost: values['control-host'] } : {}),
    ...(controlCertificate ? { controlCertificate } : {}),
  });
  const lines = [
    'edgecheck probe origin',
    `  origin            ${origin.httpUrl}`,
    `  secondary origin  ${origin.secondaryHttpUrl}`,
    ...Object.entries(origin.tlsPorts).map(([fault, p]) => `  https ${fault.padEnd(12)} https://${values.host}:${p}`),
    `  control           ${origin.controlUrl}  (token from $${tokenEnv})`,
    'Ctrl-C stops it.',
  ];
  process.stdout.write(lines.join('\n') + '\n');
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await origin.close();
  return 0;
}

function port(flag: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new ConfigError(`${flag}: expected a port number, found '${value}'`);
  return n;
}

function readPem(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    throw new ConfigError(`origin: cannot read ${file}`);
  }
}
